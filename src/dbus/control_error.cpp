#include "dbus/control_error.hpp"

#include <systemd/sd-bus-protocol.h>

#include "dbus/names.hpp"

namespace perouter::dbus {

const char* error_name(daemon::ControlErrorKind kind) {
    using K = daemon::ControlErrorKind;
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

BusErrorReply to_bus_error(const daemon::ControlError& e) {
    BusErrorReply r{error_name(e.kind), e.message};
    for (const auto& d : e.diagnostics) {
        if (!r.message.empty())
            r.message += '\n';
        r.message += d.str();
    }
    if (r.message.empty())
        r.message = e.kind == daemon::ControlErrorKind::InvalidConfig
                        ? "The configuration is invalid"
                        : "The request failed";
    return r;
}

}  // namespace perouter::dbus
