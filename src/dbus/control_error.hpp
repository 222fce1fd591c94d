// How a Controller failure travels over the bus: one D-Bus error name per ControlErrorKind, and
// a message that carries every FILE:LINE:COL diagnostic so a client can print them as they are.
#pragma once

#include <string>

#include "dbus/controller.hpp"

namespace perouter::dbus {

struct BusErrorReply {
    std::string name;
    std::string message;
    friend bool operator==(const BusErrorReply&, const BusErrorReply&) = default;
};

/// The D-Bus error name for a kind (InvalidArgs is the standard org.freedesktop.DBus one).
const char* error_name(dbus::ControlErrorKind kind);

/// The reply for `e`: its message, then one "FILE:LINE:COL: message" line per diagnostic,
/// bounded as dbus/reply_limits.hpp says.
BusErrorReply to_bus_error(const dbus::ControlError& e);

}  // namespace perouter::dbus
