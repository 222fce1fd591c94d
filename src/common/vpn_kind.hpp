// A VPN's kind, from the configuration's [[l3vni]]/[[l2vni]]/[[l3vpn]] tables to the D-Bus Kind
// property and perouterctl's output.
#pragma once

#include <string_view>

#include "common/enum_names.hpp"

namespace perouter {

/// Unknown: not known, for a VPN whose file the loader left out (RemoveVpn) or a kind that
/// another version of perouterd reports over D-Bus. A loaded configuration never has it.
enum class VpnKind { L3vni, L2vni, L3vpn, Unknown };

inline constexpr EnumNames<VpnKind> kVpnKindNames[] = {
    {VpnKind::L3vni, "l3vni"}, {VpnKind::L2vni, "l2vni"}, {VpnKind::L3vpn, "l3vpn"}};

/// "l3vni", "l2vni", "l3vpn" (the configuration's table names), "unknown".
constexpr std::string_view to_string(VpnKind k) {
    return name_of(kVpnKindNames, k);
}
constexpr VpnKind parse_vpn_kind(std::string_view s) {
    return value_of(kVpnKindNames, s, VpnKind::Unknown);
}

}  // namespace perouter
