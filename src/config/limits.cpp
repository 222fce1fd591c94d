#include "config/limits.hpp"

#include <fmt/format.h>

namespace perouter::config {

void cap_diagnostics(Diagnostics& diags) {
    if (diags.size() <= kMaxDiagnostics)
        return;
    const size_t dropped = diags.size() - kMaxDiagnostics;
    SourcePos first = diags[kMaxDiagnostics].pos;
    diags.resize(kMaxDiagnostics);
    diags.push_back({std::move(first), fmt::format("... and {} more error{}", dropped,
                                                   dropped == 1 ? "" : "s")});
}

}  // namespace perouter::config
