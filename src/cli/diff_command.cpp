#include "cli/diff_command.hpp"

#include <iostream>

#include "cli/bus_errors.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "config/load.hpp"
#include "daemon/router.hpp"

namespace perouter::cli {

int run_diff(const Invocation& inv, Streams io) {
    // The diff is against what the daemon would apply: the files that stand. The ones it
    // would leave out are named on stderr.
    auto loaded = config::load(config::Layout{inv.root});
    for (const auto& l : report_diagnostics(loaded.diagnostics()).lines)
        io.err << l << '\n';
    if (!loaded.config)
        return kExitFailure;
    const config::Config* cfg = &*loaded.config;
    daemon::Options opts;
    opts.root = inv.root;
    opts.netns = inv.netns;
    opts.host_netns = inv.host_netns;
    auto router = daemon::Router::open(opts);
    if (!router) {
        io.err << "Failed to diff: " << router.error().message << '\n';
        return kExitFailure;
    }
    auto lines = (*router)->plan_changes(*cfg);
    if (!lines) {
        io.err << "Failed to diff: " << lines.error().message << '\n';
        return kExitFailure;
    }
    if (!inv.json.empty()) {
        io.out << dump_json({{"in_sync", lines->empty()}, {"changes", *lines}}, inv.json);
    } else {
        for (const auto& l : *lines)
            io.out << l << '\n';
    }
    return lines->empty() ? kExitOk : kExitFailure;
}

}  // namespace perouter::cli
