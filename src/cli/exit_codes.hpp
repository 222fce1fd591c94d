// perouterctl's exit codes, documented in perouterctl(8). Scripts and units depend on them:
// perouterd-wait-online.service fails on anything but 0, ExecReload= on anything but 0.
#pragma once

namespace perouter::cli {

enum ExitCode : int {
    kExitOk = 0,
    /// The command failed: the daemon refused or could not apply it, the configuration is
    /// invalid, `diff` found drift, `wait-online` timed out, access was denied.
    kExitFailure = 1,
    /// The command line is wrong (unknown command or option, missing argument).
    kExitUsage = 2,
    /// perouterd is not on the bus (not running, or the bus itself is not reachable).
    kExitNotRunning = 3,
};

}  // namespace perouter::cli
