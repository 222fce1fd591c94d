// sd_notify messages to the service manager. Harmless no-ops when NOTIFY_SOCKET is unset
// (perouterd run by hand), so callers never need to check.
#pragma once

#include <string>

namespace perouter::daemon {

void notify_ready(const std::string& status);
void notify_status(const std::string& status);
/// Sent before a reload; MONOTONIC_USEC lets newer managers match it with the READY=1 after.
void notify_reloading();
void notify_stopping();
void notify_watchdog();
/// Half of WATCHDOG_USEC in microseconds, or 0 when the manager wants no watchdog pings.
uint64_t watchdog_interval_usec();

}  // namespace perouter::daemon
