#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

namespace {

/// A gateway is an address on its subnet: host bits set, and for IPv4 not the broadcast.
std::optional<std::string> gateway_problem(const IpPrefix& p) {
    if (!p.has_host_bits())
        return "is the network address, not a gateway address";
    if (p.is_v4() && p.length() < 32) {
        auto last = p.host((uint64_t{1} << (32 - p.length())) - 1);
        if (last && *last == p.address())
            return "is the broadcast address";
    }
    return std::nullopt;
}

void read_gateways(TableReader& r, L2Vni& v) {
    auto items = r.strings("gateway_ips");
    if (!items)
        return;
    if (items->size() > 2)
        r.error("gateway_ips", "'gateway_ips' must have at most 2 entries");
    bool seen[2] = {false, false};
    for (auto& item : *items) {
        auto p = IpPrefix::parse(item.value);
        if (!p) {
            r.error_at(item.pos,
                       fmt::format("'gateway_ips' entry must be ADDR/LEN, got '{}'", item.value));
            continue;
        }
        if (auto problem = gateway_problem(*p)) {
            r.error_at(item.pos, fmt::format("'gateway_ips' entry '{}' {}", item.value, *problem));
            continue;
        }
        auto fam = static_cast<size_t>(p->family());
        if (seen[fam]) {
            r.error_at(item.pos, fmt::format("'gateway_ips' has more than one {} address",
                                             to_string(p->family())));
            continue;
        }
        seen[fam] = true;
        v.gateway_ips.push_back(*p);
    }
    if (!r.has("routing_domain"))
        r.error("gateway_ips", "'gateway_ips' need a 'routing_domain'");
}

HostMaster convert_host_master(const toml::table& t, Positions& pos, Diagnostics& diags) {
    HostMaster hm;
    TableReader r(t, keys::kHostMaster, pos, diags, "host_master.");
    if (auto type = r.choice("type", {"linux-bridge", "ovs-bridge"}))
        hm.type = *type == 0 ? HostMasterType::LinuxBridge : HostMasterType::OvsBridge;
    if (auto lc = r.choice("lifecycle", {"managed", "external"}))
        hm.lifecycle = *lc == 0 ? HostMasterLifecycle::Managed : HostMasterLifecycle::External;
    hm.name = r.own_link_name("name");
    bool external = hm.lifecycle == HostMasterLifecycle::External;
    if (!external && r.has("name")) {
        r.error("name",
                "'name' is only allowed with lifecycle \"external\" (a managed bridge is "
                "named br-hs-<vni>)");
        hm.name.reset();
    } else if (external && !r.has("name")) {
        r.error_at(r.table_pos(), "lifecycle \"external\" needs a 'name'");
    }
    return hm;
}

}  // namespace

std::string_view to_string(HostMasterType t) {
    return t == HostMasterType::LinuxBridge ? "linux-bridge" : "ovs-bridge";
}

std::string_view to_string(HostMasterLifecycle l) {
    return l == HostMasterLifecycle::Managed ? "managed" : "external";
}

L2Vni convert_l2vni(const toml::table& t, Diagnostics& diags) {
    L2Vni v;
    TableReader r(t, keys::kL2Vni, v.pos, diags);
    if (auto name = read_vpn_name(r))
        v.name = *name;
    if (auto vni = read_vni(r))
        v.vni = *vni;
    if (auto port = r.number<uint16_t>("vxlan_port", 1, 65535))
        v.vxlan_port = *port;
    v.underlay_address_family = read_family(r);
    if (auto rd = r.string("routing_domain")) {
        if (rd->empty()) {
            r.error("routing_domain", "'routing_domain' must not be empty");
        } else {
            v.routing_domain = std::move(rd);
        }
    }
    read_gateways(r, v);
    v.export_rts = read_route_targets(r, "export_rts");
    v.import_rts = read_route_targets(r, "import_rts");
    v.rd = read_route_distinguisher(r);
    if (const toml::table* hm = r.table("host_master"))
        v.host_master = convert_host_master(*hm, v.pos, diags);
    return v;
}

}  // namespace perouter::config
