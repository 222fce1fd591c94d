#include "config/vpn_common.hpp"

#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/route_target.hpp"
#include "config/vpn_document.hpp"

namespace perouter::config {

std::optional<std::string> read_vpn_name(TableReader& r) {
    auto name = r.string("name");
    if (!name) {
        if (!r.has("name"))
            r.missing("name");
        return std::nullopt;
    }
    if (std::string problem = vpn_name_problem(*name); !problem.empty()) {
        r.error("name", fmt::format("invalid 'name' '{}': {}", *name, problem));
        return std::nullopt;
    }
    return name;
}

std::optional<uint32_t> read_vni(TableReader& r) {
    auto vni = r.number<uint32_t>("vni", 1, kMaxVni);
    if (!vni) {
        if (!r.has("vni"))
            r.missing("vni");
        return std::nullopt;
    }
    // Derived link names must fit IFNAMSIZ; names.cpp proves it for the largest VNI, this
    // keeps the promise visible should the VNI range or the name patterns ever change.
    for (const auto& link : {bridge_name(*vni), vxlan_name(*vni), host_veth_name(*vni),
                             router_veth_name(*vni), host_bridge_name(*vni)}) {
        if (link.size() > kMaxInterfaceName) {
            r.error("vni", fmt::format("'vni' {} gives link name '{}' longer than {} characters",
                                       *vni, link, kMaxInterfaceName));
            return std::nullopt;
        }
    }
    return vni;
}

std::optional<Family> read_family(TableReader& r) {
    auto f = r.choice("underlay_address_family", {"ipv4", "ipv6"});
    if (!f)
        return std::nullopt;
    return *f == 0 ? Family::V4 : Family::V6;
}

std::vector<std::string> read_route_targets(TableReader& r, std::string_view key) {
    std::vector<std::string> out;
    auto items = r.strings(key);
    if (!items)
        return out;
    if (items->size() > kMaxRouteTargets)
        r.error(key, fmt::format("'{}' has {} entries (at most {})", key, items->size(),
                                 kMaxRouteTargets));
    for (auto& item : *items) {
        if (auto problem = route_target_problem(item.value)) {
            r.error_at(item.pos, fmt::format("invalid route target '{}' in '{}': {}", item.value,
                                             key, *problem));
            continue;
        }
        out.push_back(item.value);
    }
    return out;
}

std::optional<std::string> read_route_distinguisher(TableReader& r) {
    auto rd = r.string("rd");
    if (!rd)
        return std::nullopt;
    // FRR's `rd` takes the same two forms as a route target (RFC 4364 types 0/1 and 2).
    if (auto problem = route_target_problem(*rd)) {
        r.error("rd", fmt::format("invalid 'rd' '{}': {}", *rd, *problem));
        return std::nullopt;
    }
    return rd;
}

std::optional<std::string> read_vrf(TableReader& r) {
    auto vrf = r.interface_name("vrf");
    if (!vrf) {
        if (!r.has("vrf"))
            r.missing("vrf");
        return std::nullopt;
    }
    if (auto problem = vrf_name_problem(*vrf)) {
        r.error("vrf", fmt::format("invalid 'vrf' '{}': {}", *vrf, *problem));
        return std::nullopt;
    }
    return vrf;
}

std::optional<HostSession> read_routed_host_session(TableReader& r, const KeyTable& keys,
                                                    const KeyTable& local_cidr_keys,
                                                    Diagnostics& diags) {
    const toml::table* hs = r.table("host_session");
    if (hs == nullptr)
        return std::nullopt;
    HostSession s = convert_host_session(*hs, keys, local_cidr_keys, diags);
    // The VRF's BGP instance and the host must be different ASes (upstream's CEL rule).
    if (s.host_asn && s.asn != 0 && *s.host_asn == s.asn)
        diags.push_back(
            {s.pos.of("host_asn"),
             fmt::format("'host_asn' {} must differ from the host session's 'asn'", *s.host_asn)});
    return s;
}

}  // namespace perouter::config
