// The errno each Router1 error name stands for, so that sd_bus_error_get_errno() and sd-bus's
// own error paths give callers a meaningful code on both ends of the bus.
#pragma once

#include <systemd/sd-bus.h>

namespace perouter::dbus {

/// The map (terminated by SD_BUS_ERROR_MAP_END), static storage as sd-bus requires.
const sd_bus_error_map* router_error_map();

/// Registers router_error_map() with sd-bus for this process. Idempotent; returns a negative
/// errno only if sd-bus cannot take the map.
int register_error_map();

}  // namespace perouter::dbus
