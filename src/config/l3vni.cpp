#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

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
    v.rd = read_route_distinguisher(r);

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
