// Starting and stopping the units perouterd supervises (frr@<netns>.service,
// perouter-dhcp@<netns>.service) through systemd's manager API on the system bus, and the
// process checks both kinds of helper share.
#pragma once

#include <string>

#include "common/result.hpp"

namespace perouter {

/// Who starts and stops a helper that runs in the router namespace (FRR, the DHCP client).
/// Under systemd it is a template unit instance moved into /run/netns/<netns>, so restarting
/// perouterd never touches its processes; elsewhere (the lab, tests, containers) perouterd
/// starts it itself with `ip netns exec`.
enum class Launcher { Direct, Systemd };

/// Whether perouterd itself runs as a systemd service (a booted systemd and an INVOCATION_ID).
bool running_as_systemd_service();
/// Whether the unit file `name` (a template such as "frr@.service") is installed.
bool unit_file_installed(const std::string& name);

/// StartUnit(unit, "replace") after ResetFailedUnit: a unit that failed refuses to start until
/// reset, and perouterd, its supervisor, has its own backoff. The job runs asynchronously.
Status start_unit(const std::string& unit);
/// StopUnit(unit, "replace"), then waits up to 30 s until the unit has settled.
Status stop_unit(const std::string& unit);
/// The unit is inactive, failed or not loaded (its stop job has finished).
bool unit_settled(const std::string& unit);
/// The unit's start job still runs (ActiveState "activating": for Type=forking, ExecStart has
/// not exited yet).
bool unit_starting(const std::string& unit);
/// An error unless systemd would run `unit` in /run/netns/<netns> (its NetworkNamespacePath=);
/// `hint` says how to fix it.
Status check_unit_namespace(const std::string& unit, const std::string& netns,
                            const std::string& hint);

/// A process (from a pid file) runs in the network namespace bound at /run/netns/<netns>. A
/// namespace deleted and created again under the same name is a new namespace: a helper still
/// in the old one serves nothing.
bool process_in_netns(int pid, const std::string& netns);

}  // namespace perouter
