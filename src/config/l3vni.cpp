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
    if (auto vrf = read_vrf(r))
        v.vrf = *vrf;
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

    v.host_session =
        read_routed_host_session(r, keys::kL3VniHostSession, keys::kL3VniLocalCidr, diags);
    return v;
}

}  // namespace perouter::config
