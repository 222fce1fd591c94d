// The commands that talk to perouterd over D-Bus: status, vpn list|show|add|remove, reload,
// wait-online. Each returns the exit code (exit_codes.hpp) and prints errors to io.err.
#pragma once

#include "cli/app.hpp"
#include "cli/config_commands.hpp"

namespace perouter::cli {

int run_status(const Invocation& inv, Streams io);
int run_vpn_list(const Invocation& inv, Streams io);
int run_vpn_show(const Invocation& inv, Streams io);
int run_vpn_add(const Invocation& inv, Streams io);
int run_vpn_remove(const Invocation& inv, Streams io);
int run_reload(const Invocation& inv, Streams io);
int run_wait_online(const Invocation& inv, Streams io);

}  // namespace perouter::cli
