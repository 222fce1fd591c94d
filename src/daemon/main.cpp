// perouterd: the router daemon. Without a mode flag it runs in the foreground as a service;
// the flags below run one step and exit (perouterd(8)).
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "config/load.hpp"
#include "daemon/logging.hpp"
#include "daemon/options.hpp"
#include "daemon/raw_frr_check.hpp"
#include "daemon/router.hpp"
#include "daemon/service.hpp"
#include "plan/describe.hpp"

namespace perouter::daemon {
namespace {

void print_diagnostics(const Diagnostics& ds) {
    for (const auto& d : ds)
        std::cerr << d.str() << "\n";
}

/// The configuration the daemon would apply (the files that stand), with every diagnostic of
/// the files left out printed; nullopt when nothing stands.
std::optional<config::Config> load_config(const Options& opts) {
    RawFrrChecker raw;
    auto loaded = config::load(config::Layout{opts.root}, {}, nullptr, raw.callback());
    print_diagnostics(loaded.diagnostics());
    return std::move(loaded.config);
}

int check_config(const Options& opts) {
    RawFrrChecker raw;
    auto loaded = config::load(config::Layout{opts.root}, {}, nullptr, raw.callback());
    print_diagnostics(loaded.diagnostics());
    if (!loaded.clean())
        return 1;
    std::cout << "configuration is valid\n";
    return 0;
}

// --once / --diff / --teardown share this: open the router, run one step.
int one_shot(const Options& opts, const std::string& mode) {
    auto router = Router::open(opts);
    if (!router) {
        spdlog::error("{}", router.error().message);
        return 2;
    }
    if (mode == "teardown") {
        auto r = (*router)->teardown();
        if (!r) {
            spdlog::error("teardown: {}", r.error().message);
            return 1;
        }
        for (const auto& e : r->errors)
            spdlog::error("{}", e);
        return r->errors.empty() ? 0 : 1;
    }
    auto cfg = load_config(opts);
    if (!cfg)
        return mode == "diff" ? 2 : 1;
    if (mode == "diff") {
        auto lines = (*router)->plan_changes(*cfg);
        if (!lines) {
            spdlog::error("{}", lines.error().message);
            return 2;
        }
        for (const auto& l : *lines)
            std::cout << l << "\n";
        return lines->empty() ? 0 : 1;
    }
    if (mode == "show-plan") {
        auto d = (*router)->desired(*cfg);
        if (!d) {
            spdlog::error("{}", d.error().message);
            return 1;
        }
        std::cout << plan::describe(*d);
        return 0;
    }
    const auto shared = std::make_shared<const config::Config>(std::move(*cfg));
    auto r = (*router)->reconcile(shared);
    // One-shot: waiting here is fine (the daemon's loop polls instead).
    while (r && r->frr_starting) {
        while (!(*router)->frr_start_settled())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        size_t before = r->changes;
        r = (*router)->reconcile(shared);
        if (r)
            r->changes += before;
    }
    if (!r) {
        spdlog::error("{}", r.error().message);
        return 1;
    }
    for (const auto& p : r->problems)
        spdlog::warn("{}", p);
    spdlog::info("{} change{} applied{}", r->changes, r->changes == 1 ? "" : "s",
                 r->errors.empty() ? "" : fmt::format(", {} failed", r->errors.size()));
    return r->errors.empty() ? 0 : 1;
}

}  // namespace
}  // namespace perouter::daemon

int main(int argc, char** argv) {
    // glibc's defaults, fixed: by default a freed block above the mmap threshold raises it (up
    // to 32 MiB) and the trim threshold with it, so that after one change of a large
    // configuration (texts of ~0.5 MB) the blocks that size come from the heap and a thread's
    // heap keeps up to twice that at idle, which malloc_trim() does not give back for threads
    // (tests/bench/RESULTS.md, P6).
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    using perouter::daemon::Options;
    Options opts;
    bool check = false, once = false, diff = false, teardown = false, show_plan = false;

    CLI::App app{"perouterd - EVPN provider-edge router daemon"};
    app.set_version_flag("--version", std::string(PEROUTER_VERSION));
    app.add_option("--root", opts.root, "Prefix for configuration, state and FRR instance files");
    app.add_option("--netns", opts.netns, "Router network namespace (under /run/netns)");
    app.add_option("--host-netns", opts.host_netns,
                   "Namespace playing the host (default: the one perouterd runs in)");
    app.add_option("--frr-launcher", opts.frr_launcher,
                   "Who runs FRR: systemd (frr@NETNS.service), direct (watchfrr), auto")
        ->check(CLI::IsMember({"auto", "systemd", "direct"}));
    app.add_option("--ovsdb", opts.ovsdb,
                   "Open vSwitch database for host_master type \"ovs-bridge\" (unix:PATH)")
        ->check([](const std::string& v) { return perouter::ovs::database_problem(v); });
    app.add_option("--ovs-datapath", opts.ovs_datapath,
                   "Datapath of the OVS bridges perouterd creates: system (kernel) or netdev")
        ->check(CLI::IsMember({"system", "netdev"}));
    app.add_option("--log-level", opts.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical"}));
    auto* g = app.add_option_group("mode", "Run one step and exit instead of serving");
    g->add_flag("--check-config", check, "Validate the configuration; print FILE:LINE:COL errors");
    g->add_flag("--once", once, "Apply the configuration once and exit");
    g->add_flag("--diff", diff, "Print the changes an apply would make; exit 1 on drift");
    g->add_flag("--show-plan", show_plan, "Print the desired state (kernel objects and frr.conf)");
    g->add_flag("--teardown", teardown,
                "Remove the router: FRR, owned links, NICs back to the host, namespace");
    g->require_option(0, 1);
    CLI11_PARSE(app, argc, argv);

    perouter::daemon::setup_logging(opts.log_level);
    if (check)
        return perouter::daemon::check_config(opts);
    if (once)
        return perouter::daemon::one_shot(opts, "once");
    if (diff)
        return perouter::daemon::one_shot(opts, "diff");
    if (show_plan)
        return perouter::daemon::one_shot(opts, "show-plan");
    if (teardown)
        return perouter::daemon::one_shot(opts, "teardown");
    perouter::daemon::Service service(opts);
    return service.run();
}
