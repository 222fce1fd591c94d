// `perouterctl diff`: what applying the configuration would change on this machine, like
// `perouterd --diff` (it observes the live namespaces, so it needs root).
#pragma once

#include "cli/app.hpp"
#include "cli/config_commands.hpp"

namespace perouter::cli {

/// Exit 0 in sync, 1 drift, invalid configuration or failure to observe.
int run_diff(const Invocation& inv, Streams io);

}  // namespace perouter::cli
