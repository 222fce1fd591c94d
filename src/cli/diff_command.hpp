// `perouterctl diff`: what applying the configuration would change on this machine. One
// implementation: it runs `perouterd --diff` (which observes the live namespaces, so it needs
// root) and prints its lines, or them as JSON.
#pragma once

#include "cli/app.hpp"
#include "cli/config_commands.hpp"

namespace perouter::cli {

/// perouterd's exit status: 0 in sync, 1 drift, 2 when the diff could not be made (invalid
/// configuration, no router to observe, perouterd not found).
int run_diff(const Invocation& inv, Streams io);

}  // namespace perouter::cli
