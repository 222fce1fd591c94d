#include "dbus/control_error.hpp"

#include <systemd/sd-bus-protocol.h>

#include "dbus/names.hpp"
#include "dbus/reply_limits.hpp"

namespace perouter::dbus {

const char* error_name(dbus::ControlErrorKind kind) {
    using K = dbus::ControlErrorKind;
    switch (kind) {
        case K::InvalidConfig:
            return kErrorInvalidConfig;
        case K::NoSuchVpn:
            return kErrorNoSuchVpn;
        case K::VpnExists:
            return kErrorVpnExists;
        case K::ReadOnly:
            return kErrorReadOnly;
        case K::InvalidArgs:
            return SD_BUS_ERROR_INVALID_ARGS;
        case K::Failed:
            break;
    }
    return kErrorFailed;
}

BusErrorReply to_bus_error(const dbus::ControlError& e) {
    BusErrorReply r{error_name(e.kind), bounded_message(e.message)};
    for (const auto& line : bounded_diagnostics(e.diagnostics)) {
        if (!r.message.empty())
            r.message += '\n';
        r.message += line;
    }
    if (r.message.empty())
        r.message = e.kind == dbus::ControlErrorKind::InvalidConfig ? "The configuration is invalid"
                                                                    : "The request failed";
    return r;
}

}  // namespace perouter::dbus
