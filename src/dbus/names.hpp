// The public names of perouterd's D-Bus API (perouter-dbus(7)). schema/org.openperouter.Router1.xml
// is the contract for the interfaces; these constants are the one place the code spells them.
#pragma once

namespace perouter::dbus {

inline constexpr const char* kBusName = "org.openperouter.Router1";
inline constexpr const char* kManagerPath = "/org/openperouter/Router1";
inline constexpr const char* kManagerInterface = "org.openperouter.Router1.Manager";
/// Parent of the per-VPN objects: kVpnPathPrefix + "/" + sd_bus_path_encode'd name.
inline constexpr const char* kVpnPathPrefix = "/org/openperouter/Router1/vpn";
inline constexpr const char* kVpnInterface = "org.openperouter.Router1.Vpn";

inline constexpr const char* kErrorInvalidConfig = "org.openperouter.Router1.Error.InvalidConfig";
inline constexpr const char* kErrorNoSuchVpn = "org.openperouter.Router1.Error.NoSuchVpn";
inline constexpr const char* kErrorVpnExists = "org.openperouter.Router1.Error.VpnExists";
inline constexpr const char* kErrorReadOnly = "org.openperouter.Router1.Error.ReadOnly";
inline constexpr const char* kErrorFailed = "org.openperouter.Router1.Error.Failed";

/// polkit actions (dist/polkit/org.openperouter.Router1.policy).
inline constexpr const char* kActionReload = "org.openperouter.Router1.reload";
inline constexpr const char* kActionManageVpn = "org.openperouter.Router1.manage-vpn";

/// Mutating calls return only once the change is applied (FRR reload included), which can take
/// far longer than sd-bus's 25 s default; clients use this method-call timeout.
inline constexpr unsigned long long kLongCallTimeoutUsec = 300ULL * 1000 * 1000;

}  // namespace perouter::dbus
