// Object paths of the per-VPN objects. VPN names may hold characters an object path may not
// ('-', '.'), so they are escaped with sd_bus_path_encode (systemd's scheme: "_" + two hex digits
// per byte outside [A-Za-z0-9], "_" alone for the empty string), which round-trips exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace perouter::dbus {

/// kVpnPathPrefix + "/" + the escaped name.
std::string vpn_object_path(std::string_view name);

/// The VPN name of a path directly below kVpnPathPrefix; nullopt for any other path.
std::optional<std::string> vpn_name_from_path(std::string_view path);

}  // namespace perouter::dbus
