// What perouterctl says and returns when a call to perouterd fails: one place decides the
// exit code and the wording for every D-Bus error, so all commands behave alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/source_pos.hpp"
#include "dbus/client.hpp"

namespace perouter::cli {

/// What to print on stderr (one entry per line) and the exit code to return.
struct ErrorReport {
    int exit_code = 0;
    std::vector<std::string> lines;
    friend bool operator==(const ErrorReport&, const ErrorReport&) = default;
};

/// Whether `e` means nobody answers for org.openperouter.Router1: the name has no owner, the
/// bus could not be reached, or the daemon went away during the call.
bool is_not_running(const dbus::BusError& e);

/// The report for a failed call. `action` names what was attempted ("add VPN 'blue'") for the
/// messages that need it. InvalidConfig prints its FILE:LINE:COL lines as they came;
/// AccessDenied explains what authorizes the call; a daemon that is not there exits with
/// kExitNotRunning.
ErrorReport report_bus_error(const dbus::BusError& e, std::string_view action);

/// Configuration errors as "FILE:LINE:COL: message" lines, exit kExitFailure.
ErrorReport report_diagnostics(const Diagnostics& diags);

}  // namespace perouter::cli
