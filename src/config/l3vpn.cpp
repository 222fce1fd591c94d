#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

L3Vpn convert_l3vpn(const toml::table& t, Diagnostics& diags) {
    L3Vpn v;
    TableReader r(t, keys::kL3Vpn, v.pos, diags);
    if (auto name = read_vpn_name(r))
        v.name = *name;
    if (auto vrf = read_vrf(r))
        v.vrf = *vrf;
    if (auto n = r.number<uint32_t>("rd_assigned_number", 1, 65535))
        v.rd_assigned_number = *n;
    else if (!r.has("rd_assigned_number"))
        r.missing("rd_assigned_number");
    if (auto dg = r.boolean("default_gateway"))
        v.default_gateway = *dg;
    v.export_rts = read_route_targets(r, "export_rts");
    v.import_rts = read_route_targets(r, "import_rts");
    // Without an import route target the VRF takes nothing from the fabric (there is no
    // automatic one, unlike EVPN's <asn>:<vni>).
    if (!r.has("import_rts")) {
        r.missing("import_rts");
    } else if (const toml::node* n = r.node("import_rts");
               n && n->as_array() && n->as_array()->empty()) {
        r.error("import_rts", "'import_rts' must name at least one route target");
    }
    v.rd = read_route_distinguisher(r);

    v.host_session =
        read_routed_host_session(r, keys::kL3VpnHostSession, keys::kL3VpnLocalCidr, diags);
    return v;
}

}  // namespace perouter::config
