// The states the D-Bus API reports, as the server fills them and the client reads them back.
// Strings only at the edge: the properties (manager_object.cpp, vpn_object.cpp), the client
// (client.cpp) and the daemon's JSON (Describe).
#pragma once

#include <string_view>

#include "common/enum_names.hpp"
#include "common/vpn_kind.hpp"

namespace perouter::dbus {

/// A VPN's State. Unknown: a state that another version of perouterd reports.
enum class VpnState { Pending, Configured, Failed, Unknown };

inline constexpr EnumNames<VpnState> kVpnStateNames[] = {{VpnState::Pending, "pending"},
                                                         {VpnState::Configured, "configured"},
                                                         {VpnState::Failed, "failed"}};

constexpr std::string_view to_string(VpnState s) {
    return name_of(kVpnStateNames, s);
}
constexpr VpnState parse_vpn_state(std::string_view s) {
    return value_of(kVpnStateNames, s, VpnState::Unknown);
}

/// The Manager's UnderlayState. Unknown: a state that another version of perouterd reports.
enum class UnderlayState { Unconfigured, Down, Connecting, Established, Unknown };

inline constexpr EnumNames<UnderlayState> kUnderlayStateNames[] = {
    {UnderlayState::Unconfigured, "unconfigured"},
    {UnderlayState::Down, "down"},
    {UnderlayState::Connecting, "connecting"},
    {UnderlayState::Established, "established"}};

constexpr std::string_view to_string(UnderlayState s) {
    return name_of(kUnderlayStateNames, s);
}
constexpr UnderlayState parse_underlay_state(std::string_view s) {
    return value_of(kUnderlayStateNames, s, UnderlayState::Unknown);
}

}  // namespace perouter::dbus
