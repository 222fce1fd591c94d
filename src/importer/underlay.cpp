// Underlay: upstream's UnderlaySpec and Neighbor -> [underlay] and [[underlay.neighbors]].
#include <fmt/format.h>

#include "importer/convert.hpp"

namespace perouter::importer {
namespace {

/// One of upstream's underlay interfaces: a host NIC (NetworkDevice) or a CNI device.
struct UnderlayInterface {
    enum class Kind { Unknown, NetworkDevice, CniDevice };
    Kind kind = Kind::Unknown;
    SourcePos type_pos;
    std::optional<std::string> nic;      // NetworkDevice: the NIC's name
    std::optional<toml::table> macvlan;  // CNIDevice: [underlay.macvlan]
};

/// interfaces: [{type: NetworkDevice, networkDevice: {interfaceName}}] -> "NIC";
/// [{type: CNIDevice, cniDevice: {...}}] -> [underlay.macvlan] (see cni_device.cpp).
UnderlayInterface underlay_interface(const YAML::Node& item, size_t i, Sink& sink) {
    Fields f(item, fmt::format("interfaces[{}]", i), sink);
    UnderlayInterface out;
    out.type_pos = f.key_pos("type");
    auto type = f.string("type");
    if (!type) {
        if (!f.has("type"))
            f.missing("type");
        f.skip("networkDevice");
        f.skip("cniDevice");
    } else if (*type == "NetworkDevice") {
        out.kind = UnderlayInterface::Kind::NetworkDevice;
        auto device = f.take("networkDevice");
        if (!device) {
            f.missing("networkDevice");
        } else {
            Fields d(*device, "networkDevice", sink);
            out.nic = d.string("interfaceName");
            if (!out.nic && !d.has("interfaceName"))
                d.missing("interfaceName");
            d.finish();
        }
        f.refuse("cniDevice", "set with type NetworkDevice");
    } else if (*type == "CNIDevice") {
        out.kind = UnderlayInterface::Kind::CniDevice;
        auto device = f.take("cniDevice");
        if (!device) {
            f.missing("cniDevice");
        } else {
            Fields d(*device, "cniDevice", sink);
            out.macvlan = convert_cni_device(d);
        }
        f.refuse("networkDevice", "set with type CNIDevice");
    } else {
        f.error("type",
                fmt::format("\"{}\" is not one of \"NetworkDevice\", \"CNIDevice\"", *type));
        f.skip("networkDevice");
        f.skip("cniDevice");
    }
    f.finish();
    return out;
}

/// interfaces -> [underlay] interfaces, or [underlay.macvlan] for the one CNI device upstream
/// may have instead (upstream does not mix the two kinds).
void underlay_interfaces(const std::vector<YAML::Node>& items, Sink& sink, toml::table& out) {
    using Kind = UnderlayInterface::Kind;
    std::vector<std::string> names;
    std::optional<toml::table> macvlan;
    Kind first = Kind::Unknown;
    size_t devices = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        UnderlayInterface u = underlay_interface(items[i], i, sink);
        if (u.kind == Kind::Unknown)
            continue;
        if (first == Kind::Unknown)
            first = u.kind;
        else if (u.kind != first)
            sink.error(u.type_pos,
                       "type: NetworkDevice and CNIDevice interfaces mixed: "
                       "upstream does not allow it either");
        if (u.kind == Kind::NetworkDevice && u.nic)
            names.push_back(std::move(*u.nic));
        if (u.kind == Kind::CniDevice && ++devices > 1)
            sink.error(u.type_pos,
                       "type: a second CNIDevice has no equivalent: perouter's "
                       "underlay has one macvlan ([underlay.macvlan])");
        if (u.kind == Kind::CniDevice && !macvlan)
            macvlan = std::move(u.macvlan);
    }
    if (first == Kind::CniDevice && macvlan)
        out.insert_or_assign("macvlan", std::move(*macvlan));
    else
        out.insert_or_assign("interfaces", string_array(names));
}

/// properties: [{type: ebgpMultiHop, ebgpMultiHop: {ttl}}] -> ebgp_multihop = ttl | true.
void neighbor_properties(Fields& n, toml::table& out) {
    auto items = n.sequence("properties");
    if (!items)
        return;
    Sink& sink = n.sink();
    for (size_t i = 0; i < items->size(); ++i) {
        Fields p((*items)[i], fmt::format("properties[{}]", i), sink);
        auto type = p.choice("type", {{"ebgpMultiHop", "ebgpMultiHop"}});
        if (!type && !p.has("type"))
            p.missing("type");
        if (i > 0) {
            sink.error(p.pos(), "a neighbor has at most one property (as upstream allows)");
            p.skip("ebgpMultiHop");
        } else if (auto multihop = p.take("ebgpMultiHop")) {
            Fields m(*multihop, "ebgpMultiHop", sink);
            auto ttl = m.integer("ttl");
            if (ttl)
                out.insert_or_assign("ebgp_multihop", *ttl);
            else if (!m.has("ttl"))
                out.insert_or_assign("ebgp_multihop", true);
            m.finish();
        } else if (type) {
            out.insert_or_assign("ebgp_multihop", true);
        }
        p.finish();
    }
}

/// bfd: {receiveInterval, ...} -> bfd = {} or [underlay.neighbors.bfd] receive_interval_ms...
void neighbor_bfd(Fields& n, toml::table& out) {
    auto node = n.take("bfd");
    if (!node)
        return;
    Fields b(*node, "bfd", n.sink());
    toml::table t;
    put(t, "receive_interval_ms", b.integer("receiveInterval"));
    put(t, "transmit_interval_ms", b.integer("transmitInterval"));
    put(t, "detect_multiplier", b.integer("detectMultiplier"));
    put(t, "session_mode", b.choice("sessionMode", {{"Active", "active"}, {"Passive", "passive"}}));
    put(t, "minimum_ttl", b.integer("minimumTTL"));
    b.finish();
    // "bfd = {}" as perouter.toml(5) writes it; a profile as its own table, for a readable line.
    if (t.empty())
        out.insert_or_assign("bfd", inline_table(std::move(t)));
    else
        out.insert_or_assign("bfd", std::move(t));
}

/// addressFamilies: [{type, properties: [{type: routeReflectorClient}]}] -> address_families
/// and route_reflector_client (perouter marks a client per neighbor, for all its families).
void neighbor_families(Fields& n, toml::table& out) {
    auto items = n.sequence("addressFamilies");
    if (!items || items->empty())
        return;
    Sink& sink = n.sink();
    std::vector<std::string> families;
    std::vector<std::pair<SourcePos, bool>> client;  // per family: where, and marked a client
    for (size_t i = 0; i < items->size(); ++i) {
        Fields af((*items)[i], fmt::format("addressFamilies[{}]", i), sink);
        auto type = af.string("type");
        if (!type) {
            if (!af.has("type"))
                af.missing("type");
        } else if (*type == "ipv4vpn" || *type == "ipv6vpn") {
            af.error("type", fmt::format("{} is not imported: {}", *type, kSrv6NotImported));
        } else if (*type == "ipv4unicast") {
            families.push_back("ipv4_unicast");
        } else if (*type == "ipv6unicast") {
            families.push_back("ipv6_unicast");
        } else if (*type == "evpn") {
            families.push_back("l2vpn_evpn");
        } else {
            af.error("type", fmt::format("\"{}\" is not one of \"ipv4unicast\", \"ipv6unicast\", "
                                         "\"evpn\", \"ipv4vpn\", \"ipv6vpn\"",
                                         *type));
        }
        bool is_client = false;
        if (auto props = af.sequence("properties")) {
            for (size_t j = 0; j < props->size(); ++j) {
                Fields p((*props)[j], fmt::format("properties[{}]", j), sink);
                if (p.choice("type", {{"routeReflectorClient", "routeReflectorClient"}}))
                    is_client = true;
                else if (!p.has("type"))
                    p.missing("type");
                p.finish();
            }
        }
        client.emplace_back(af.pos(), is_client);
        af.finish();
    }
    bool any = false;
    bool all = true;
    for (const auto& c : client) {
        any = any || c.second;
        all = all && c.second;
    }
    if (any && !all) {
        for (const auto& [pos, is_client] : client) {
            if (!is_client) {
                sink.error(pos,
                           "routeReflectorClient is set on some address families of this "
                           "neighbor but not on this one: perouter marks a route-reflector "
                           "client per neighbor, for all its address families");
                break;
            }
        }
    }
    out.insert_or_assign("address_families", string_array(families));
    if (any && all)
        out.insert_or_assign("route_reflector_client", true);
}

toml::table neighbor(const YAML::Node& item, size_t i, Sink& sink, bool& secret) {
    Fields n(item, fmt::format("neighbors[{}]", i), sink);
    toml::table t;
    put(t, "asn", n.integer("asn"));
    put(t, "type", n.choice("type", {{"External", "external"}, {"Internal", "internal"}}));
    put(t, "address", n.string("address"));
    put(t, "interface", n.string("interface"));
    put(t, "listen_range", n.string("listenRange"));
    put(t, "port", n.integer("port"));
    if (auto password = n.string("password")) {
        secret = true;
        t.insert_or_assign("password", std::move(*password));
    }
    n.refuse("passwordSecret",
             "a Kubernetes Secret has no equivalent: perouter reads no Secrets; write the "
             "password itself as \"password\" (the file should then be readable by root only)");
    put(t, "hold_time_seconds", n.integer("holdTimeSeconds"));
    put(t, "keepalive_time_seconds", n.integer("keepaliveTimeSeconds"));
    put(t, "connect_time_seconds", n.integer("connectTimeSeconds"));
    neighbor_properties(n, t);
    neighbor_bfd(n, t);
    neighbor_families(n, t);
    n.finish();
    return t;
}

}  // namespace

toml::table convert_underlay(Fields& u, bool& secret) {
    Sink& sink = u.sink();
    toml::table t;
    put(t, "asn", u.integer("asn"));
    put(t, "router_id_cidr", u.string("routerIDCIDR"));
    if (auto items = u.sequence("interfaces"))
        underlay_interfaces(*items, sink, t);
    if (auto endpoint = u.take("tunnelEndpoint")) {
        Fields te(*endpoint, "tunnelEndpoint", sink);
        if (auto cidrs = te.strings("cidrs"))
            t.insert_or_assign("tunnel_endpoint_cidrs", string_array(*cidrs));
        te.finish();
    }
    if (auto items = u.sequence("neighbors")) {
        toml::array neighbors;
        for (size_t i = 0; i < items->size(); ++i)
            neighbors.push_back(neighbor((*items)[i], i, sink, secret));
        t.insert_or_assign("neighbors", std::move(neighbors));
    }
    if (auto gr = u.take("gracefulRestart")) {
        Fields g(*gr, "gracefulRestart", sink);
        toml::table r;
        put(r, "restart_time_seconds", g.integer("restartTimeSeconds"));
        put(r, "stale_path_time_seconds", g.integer("stalePathTimeSeconds"));
        g.finish();
        t.insert_or_assign("graceful_restart", std::move(r));
    }
    if (auto rr = u.take("routeReflector")) {
        Fields r(*rr, "routeReflector", sink);
        // Upstream's default cluster id, written out: perouter's default need not be the same.
        auto id = r.string("clusterID");
        toml::table c;
        c.insert_or_assign("cluster_id", id.value_or("192.0.2.1"));
        r.finish();
        t.insert_or_assign("route_reflector", inline_table(std::move(c)));
    }
    u.refuse("isis", fmt::format("IS-IS is not imported: {}", kSrv6NotImported));
    u.refuse("srv6", fmt::format("SRv6 is not imported: {}", kSrv6NotImported));
    u.finish();
    return t;
}

}  // namespace perouter::importer
