#include "config/to_json.hpp"

namespace perouter::config {
namespace {

using nlohmann::json;

std::string peer_type(PeerType t) {
    return t == PeerType::Internal ? "internal" : "external";
}

template <class T>
void put(json& j, const char* key, const std::optional<T>& v) {
    if (v)
        j[key] = *v;
}

json prefixes(const std::vector<IpPrefix>& ps) {
    json a = json::array();
    for (const auto& p : ps)
        a.push_back(p.str());
    return a;
}

json host_session(const HostSession& hs) {
    json j{{"asn", hs.asn}};
    put(j, "host_asn", hs.host_asn);
    if (hs.host_type)
        j["host_type"] = peer_type(*hs.host_type);
    json cidr = json::object();
    if (hs.local_cidr.ipv4)
        cidr["ipv4"] = hs.local_cidr.ipv4->str();
    if (hs.local_cidr.ipv6)
        cidr["ipv6"] = hs.local_cidr.ipv6->str();
    j["local_cidr"] = cidr;
    return j;
}

json neighbor(const Neighbor& n) {
    json j = json::object();
    switch (n.kind) {
        case PeerKind::Address:
            j["address"] = n.address.str();
            break;
        case PeerKind::Interface:
            j["interface"] = n.interface;
            break;
        case PeerKind::ListenRange:
            if (n.listen_range)
                j["listen_range"] = n.listen_range->str();
            break;
    }
    if (!n.address_families.empty()) {
        json fams = json::array();
        for (AddressFamily f : n.address_families)
            fams.push_back(to_string(f));
        j["address_families"] = fams;
    }
    if (n.route_reflector_client)
        j["route_reflector_client"] = true;
    put(j, "asn", n.asn);
    if (n.type)
        j["type"] = peer_type(*n.type);
    put(j, "port", n.port);
    if (n.password)
        j["password"] = "(set)";  // never echo a secret
    put(j, "hold_time_seconds", n.hold_time_seconds);
    put(j, "keepalive_time_seconds", n.keepalive_time_seconds);
    put(j, "connect_time_seconds", n.connect_time_seconds);
    if (n.ebgp_multihop_ttl) {
        j["ebgp_multihop"] = *n.ebgp_multihop_ttl;
    } else if (n.ebgp_multihop) {
        j["ebgp_multihop"] = true;
    }
    if (n.bfd) {
        json b = json::object();
        put(b, "receive_interval_ms", n.bfd->receive_interval_ms);
        put(b, "transmit_interval_ms", n.bfd->transmit_interval_ms);
        put(b, "detect_multiplier", n.bfd->detect_multiplier);
        if (n.bfd->passive)
            b["session_mode"] = *n.bfd->passive ? "passive" : "active";
        put(b, "minimum_ttl", n.bfd->minimum_ttl);
        j["bfd"] = b;
    }
    return j;
}

std::string family(Family f) {
    return std::string(to_string(f));
}

}  // namespace

nlohmann::json to_json(const Config& cfg) {
    json j = json::object();
    json node = json::object();
    put(node, "index", cfg.node.index);
    put(node, "index_from_interface", cfg.node.index_from_interface);
    if (cfg.node.index_cidr)
        node["index_cidr"] = cfg.node.index_cidr->str();
    j["node"] = node;

    if (cfg.underlay) {
        const Underlay& u = *cfg.underlay;
        json uj{{"asn", u.asn},
                {"interfaces", u.interfaces},
                {"router_id_cidr", u.router_id_cidr.str()},
                {"tunnel_endpoint_cidrs", prefixes(u.tunnel_endpoint_cidrs)}};
        json ns = json::array();
        for (const auto& n : u.neighbors)
            ns.push_back(neighbor(n));
        uj["neighbors"] = ns;
        if (u.graceful_restart)
            uj["graceful_restart"] = {
                {"restart_time_seconds", u.graceful_restart->restart_time_seconds},
                {"stale_path_time_seconds", u.graceful_restart->stale_path_time_seconds}};
        if (u.route_reflector)
            uj["route_reflector"] = {{"cluster_id", u.route_reflector->cluster_id.str()}};
        if (u.srv6) {
            json sj = json::object();
            if (u.srv6->locator)
                sj["locator"] = u.srv6->locator->str();
            if (u.srv6->locator_pool)
                sj["locator_pool"] = u.srv6->locator_pool->str();
            uj["srv6"] = sj;
        }
        if (u.macvlan) {
            const MacvlanUnderlay& m = *u.macvlan;
            json mj{{"parent", m.parent},
                    {"name", m.name},
                    {"mode", to_string(m.mode)},
                    {"addresses", prefixes(m.addresses)}};
            if (m.mac)
                mj["mac"] = m.mac->str();
            if (m.dhcp)
                mj["dhcp"] = true;
            uj["macvlan"] = mj;
        }
        j["underlay"] = uj;
    }

    json l3 = json::array();
    for (const L3Vni& v : cfg.l3vnis) {
        json e{{"name", v.name},
               {"vrf", v.vrf},
               {"vni", v.vni},
               {"vxlan_port", v.vxlan_port},
               {"export_rts", v.export_rts},
               {"import_rts", v.import_rts},
               {"default_gateway", v.default_gateway}};
        if (v.underlay_address_family)
            e["underlay_address_family"] = family(*v.underlay_address_family);
        put(e, "rd", v.rd);
        if (v.host_session)
            e["host_session"] = host_session(*v.host_session);
        e["source"] = v.pos.of().file;
        l3.push_back(e);
    }
    j["l3vni"] = l3;

    json l2 = json::array();
    for (const L2Vni& v : cfg.l2vnis) {
        json e{{"name", v.name},
               {"vni", v.vni},
               {"vxlan_port", v.vxlan_port},
               {"gateway_ips", prefixes(v.gateway_ips)},
               {"export_rts", v.export_rts},
               {"import_rts", v.import_rts}};
        put(e, "rd", v.rd);
        if (v.underlay_address_family)
            e["underlay_address_family"] = family(*v.underlay_address_family);
        put(e, "routing_domain", v.routing_domain);
        if (v.host_master) {
            json hm{{"type", to_string(v.host_master->type)},
                    {"lifecycle", to_string(v.host_master->lifecycle)}};
            put(hm, "name", v.host_master->name);
            e["host_master"] = hm;
        }
        e["source"] = v.pos.of().file;
        l2.push_back(e);
    }
    j["l2vni"] = l2;

    // Only with entries: a configuration without [[l3vpn]] reads as before SRv6 existed.
    if (!cfg.l3vpns.empty()) {
        json l3vpn = json::array();
        for (const L3Vpn& v : cfg.l3vpns) {
            json e{{"name", v.name},
                   {"vrf", v.vrf},
                   {"rd_assigned_number", v.rd_assigned_number},
                   {"export_rts", v.export_rts},
                   {"import_rts", v.import_rts},
                   {"default_gateway", v.default_gateway}};
            put(e, "rd", v.rd);
            if (v.host_session)
                e["host_session"] = host_session(*v.host_session);
            e["source"] = v.pos.of().file;
            l3vpn.push_back(e);
        }
        j["l3vpn"] = l3vpn;
    }

    if (cfg.passthrough)
        j["passthrough"] = {{"host_session", host_session(cfg.passthrough->host_session)}};
    if (cfg.online) {
        json targets = json::array();
        for (const auto& t : cfg.online->targets)
            targets.push_back(t.prefix.str());
        json o{{"targets", targets}};
        if (cfg.online->probe)
            o["probe"] = cfg.online->probe->str();
        j["online"] = o;
    }
    // The text itself is not shown: like a neighbor's password, it may hold secrets, and this
    // view reaches unprivileged D-Bus callers.
    json raw = json::array();
    for (const RawFrr& r : cfg.raw_frr)
        raw.push_back({{"name", r.name},
                       {"priority", r.priority},
                       {"config_bytes", r.config.size()},
                       {"source", r.pos.of().file}});
    j["raw_frr"] = raw;
    return j;
}

}  // namespace perouter::config
