// perouterctl: the operator's tool for perouterd (perouterctl(8), src/README.md). Commands that
// need the daemon talk to it over D-Bus; validate, cat-config and show-config read the
// configuration files themselves; diff runs `perouterd --diff`; import converts upstream's YAML.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/app.hpp"
#include "cli/bus_commands.hpp"
#include "cli/config_commands.hpp"
#include "cli/diff_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/import_command.hpp"

namespace {

using namespace perouter::cli;

int dispatch(const Invocation& inv, Streams io) {
    const LocalOptions local{inv.root, inv.json};
    const std::string& c = inv.command;
    if (c == "status")
        return run_status(inv, io);
    if (c == "vpn list")
        return run_vpn_list(inv, io);
    if (c == "vpn show")
        return run_vpn_show(inv, io);
    if (c == "vpn add")
        return run_vpn_add(inv, io);
    if (c == "vpn remove")
        return run_vpn_remove(inv, io);
    if (c == "reload")
        return run_reload(inv, io);
    if (c == "wait-online")
        return run_wait_online(inv, io);
    if (c == "validate")
        return run_validate(local, inv.files, inv.standalone, io);
    if (c == "cat-config")
        return run_cat_config(local, io);
    if (c == "show-config")
        return run_show_config(local, io);
    if (c == "diff")
        return run_diff(inv, io);
    if (c == "import")
        return run_import(inv.files, inv.output, io);
    std::cerr << "perouterctl: no command given\n";
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    // The libraries log through spdlog; keep stdout for the command's output.
    spdlog::set_default_logger(spdlog::stderr_color_st("perouterctl"));
    spdlog::set_level(spdlog::level::warn);

    Invocation inv;
    CLI::App app;
    define_app(app, inv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        // --help and --version are successes; every real parse error is a usage error.
        return rc == 0 ? kExitOk : kExitUsage;
    }
    return dispatch(inv, Streams{std::cout, std::cerr, std::cin});
}
