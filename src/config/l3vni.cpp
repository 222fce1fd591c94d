#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/route_target.hpp"
#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

namespace {

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

}  // namespace

L3Vni convert_l3vni(const toml::table& t, Diagnostics& diags) {
    L3Vni v;
    TableReader r(t, keys::kL3Vni, v.pos, diags);
    if (auto name = read_vpn_name(r))
        v.name = *name;
    if (auto vrf = r.interface_name("vrf")) {
        if (auto problem = vrf_name_problem(*vrf))
            r.error("vrf", fmt::format("invalid 'vrf' '{}': {}", *vrf, *problem));
        else
            v.vrf = *vrf;
    } else if (!r.has("vrf")) {
        r.missing("vrf");
    }
    if (auto vni = read_vni(r))
        v.vni = *vni;
    if (auto port = r.number<uint16_t>("vxlan_port", 1, 65535))
        v.vxlan_port = *port;
    v.underlay_address_family = read_family(r);
    if (auto dg = r.boolean("default_gateway"))
        v.default_gateway = *dg;
    v.export_rts = read_route_targets(r, "export_rts");
    v.import_rts = read_route_targets(r, "import_rts");

    if (const toml::table* hs = r.table("host_session")) {
        v.host_session =
            convert_host_session(*hs, keys::kL3VniHostSession, keys::kL3VniLocalCidr, diags);
        const HostSession& s = *v.host_session;
        // The VRF's BGP instance and the host must be different ASes (upstream's CEL rule).
        if (s.host_asn && s.asn != 0 && *s.host_asn == s.asn)
            diags.push_back({s.pos.of("host_asn"),
                             fmt::format("'host_asn' {} must differ from the host session's 'asn'",
                                         *s.host_asn)});
    }
    return v;
}

}  // namespace perouter::config
