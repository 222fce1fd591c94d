// libFuzzer target: the bytes as the main configuration file, through the whole pure path the
// daemon runs at start and reload: config::parse (src/config/load.hpp), then the planner and
// the FRR renderer and delta (plan_and_render.hpp). A rejected text must come back with
// diagnostics an operator can use.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/limits.hpp"
#include "config/load.hpp"
#include "plan_and_render.hpp"

namespace {

/// What every rejected load must give the operator: at least one diagnostic, each naming the
/// one file there is, with a message, on a line the text has (src/config/limits.hpp caps
/// their number, plus the one line that counts the rest).
void check_diagnostics(const perouter::Diagnostics& diags, const std::string& text) {
    auto broken = [](const std::string& what) {
        std::fprintf(stderr, "diagnostics: %s\n", what.c_str());
        std::abort();
    };
    if (diags.empty())
        broken("a rejected configuration without any diagnostic");
    if (diags.size() > perouter::config::kMaxDiagnostics + 1)
        broken("more diagnostics than kMaxDiagnostics + 1");
    const auto lines = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
    for (const auto& d : diags) {
        if (d.pos.file != "fuzz.toml")
            broken("a diagnostic that does not name the file: " + d.str());
        if (d.message.empty())
            broken("a diagnostic without a message: " + d.str());
        if (d.pos.line > lines)
            broken("a diagnostic past the last line: " + d.str());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace perouter;
    std::string text(reinterpret_cast<const char*>(data), size);
    auto cfg = config::parse({config::ConfigText{"fuzz.toml", text, /*main=*/true}});
    if (cfg.ok())
        fuzz::plan_and_render(*cfg);
    else
        check_diagnostics(cfg.error(), text);
    return 0;
}
