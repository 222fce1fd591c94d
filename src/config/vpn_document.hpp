// Documents that carry one VPN (what D-Bus AddVpn receives and writes as a drop-in), and the
// list of VPNs of a configuration with the file that defines each.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/vpn_kind.hpp"
#include "config/load.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// Checks that `doc` defines exactly one [[l3vni]], [[l2vni]] or [[l3vpn]] entry whose name is
/// `name`, and nothing else (no [underlay], no second VPN), so a runtime VPN cannot change the rest
/// of the router. Returns "l3vni", "l2vni" or "l3vpn". Only the shape is checked here; the values
/// are validated with the whole configuration (parse_with).
Result<std::string, Diagnostics> check_vpn_document(const ConfigText& doc, std::string_view name);

/// Why `name` cannot name a runtime VPN (it becomes a file name and a D-Bus object path), or ""
/// when it can.
std::string vpn_name_problem(std::string_view name);

struct VpnRef {
    std::string name;
    VpnKind kind = VpnKind::L3vni;
    uint32_t vni = 0;
    std::string vrf;    // the l3vni's VRF, the l2vni's routing domain VRF, or ""
    SourceFile source;  // the file that defines it (the path shared with its positions)
};

/// Every VPN of `cfg`: L3VNIs, L2VNIs, then L3VPNs, each in configuration order.
std::vector<VpnRef> vpns_of(const Config& cfg);
/// The VPN of `cfg` called `name`, without listing the others (a change next to 1000 VPNs
/// looks up one name).
std::optional<VpnRef> find_vpn(const Config& cfg, std::string_view name);
/// The names of every VPN of `cfg`, as views into it, in vpns_of()'s order.
std::vector<std::string_view> vpn_names(const Config& cfg);
/// vpns_of(cfg)[i], without the others.
VpnRef vpn_at(const Config& cfg, size_t i);

}  // namespace perouter::config
