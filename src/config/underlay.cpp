#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "config/address_rules.hpp"
#include "config/convert.hpp"
#include "config/names.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

namespace {

void read_interfaces(TableReader& r, Underlay& u) {
    auto items = r.strings("interfaces");
    if (!items)
        return;
    if (items->empty())
        r.error("interfaces", "'interfaces' must name at least one interface");
    std::set<std::string> seen;
    for (auto& item : *items) {
        auto problem = interface_name_problem(item.value);
        if (!problem)
            problem = reserved_name_problem(item.value);
        if (problem) {
            r.error_at(item.pos, fmt::format("invalid interface '{}': {}", item.value, *problem));
            continue;
        }
        if (!seen.insert(item.value).second) {
            r.error_at(item.pos, fmt::format("duplicate interface '{}'", item.value));
            continue;
        }
        u.interfaces.push_back(item.value);
    }
}

/// A list of 1 or 2 prefixes, at most one per family, each passing `problem`: the tunnel
/// endpoint pools and the macvlan's addresses. `entry` names an element in messages ("cidr",
/// "address"), `form` says how one is written.
std::vector<IpPrefix> read_one_per_family(TableReader& r, std::string_view key,
                                          std::string_view entry, std::string_view form,
                                          std::optional<std::string> (*problem)(const IpPrefix&)) {
    std::vector<IpPrefix> out;
    auto items = r.strings(key);
    if (!items)
        return out;
    if (items->empty() || items->size() > 2)
        r.error(key, fmt::format("'{}' must have 1 or 2 entries (at most one per family)", key));
    bool seen[2] = {false, false};
    for (auto& item : *items) {
        auto p = IpPrefix::parse(item.value);
        if (!p) {
            r.error_at(item.pos,
                       fmt::format("'{}' entry must be {}, got '{}'", key, form, item.value));
            continue;
        }
        if (auto why = problem(*p)) {
            r.error_at(item.pos, fmt::format("'{}' entry {} {}", key, p->str(), *why));
            continue;
        }
        auto fam = static_cast<size_t>(p->family());
        if (seen[fam]) {
            r.error_at(item.pos, fmt::format("'{}' has more than one {} {}", key,
                                             to_string(p->family()), entry));
            continue;
        }
        seen[fam] = true;
        out.push_back(*p);
    }
    return out;
}

MacvlanUnderlay convert_macvlan(const toml::table& t, Diagnostics& diags) {
    MacvlanUnderlay m;
    TableReader r(t, keys::kMacvlan, m.pos, diags);
    if (auto parent = r.interface_name("parent")) {
        m.parent = *parent;
    } else if (!r.has("parent")) {
        r.missing("parent");
    }
    m.name = std::string(kDefaultMacvlanName);
    if (auto name = r.own_link_name("name"))
        m.name = *name;
    if (auto mode = r.choice("mode", {"bridge", "vepa", "private"}))
        m.mode = static_cast<MacvlanMode>(*mode);
    if (auto text = r.string("mac")) {
        auto mac = MacAddress::parse(*text);
        if (!mac)
            r.error("mac", fmt::format("'mac' must be a MAC address (aa:bb:cc:dd:ee:ff), got '{}'",
                                       *text));
        else if (auto problem = unicast_mac_problem(*mac))
            r.error("mac", fmt::format("'mac' {} {}", mac->str(), *problem));
        else
            m.mac = *mac;
    }
    if (auto dhcp = r.boolean("dhcp"))
        m.dhcp = *dhcp;
    if (!r.has("addresses") && !m.dhcp)
        r.error("addresses",
                "missing 'addresses' in [underlay.macvlan] (or dhcp = true for an "
                "IPv4 address leased by DHCP)");
    m.addresses = read_one_per_family(r, "addresses", "address",
                                      "an address with its prefix length (ADDR/LEN)",
                                      macvlan_address_problem);
    if (m.dhcp)
        for (const IpPrefix& a : m.addresses)
            if (a.is_v4())
                r.error("addresses", fmt::format("'addresses' has the IPv4 address {} while dhcp "
                                                 "= true leases the IPv4 address: drop one of them",
                                                 a.str()));
    return m;
}

/// An unnumbered neighbor peers over one of the underlay's own links (the only links of the
/// router namespace that face the fabric), one neighbor per link.
void check_interface_neighbors(const Underlay& u, Diagnostics& diags) {
    const auto links = u.fabric_links();
    std::map<std::string, const Neighbor*> seen;
    for (const Neighbor& n : u.neighbors) {
        if (n.kind != PeerKind::Interface || n.interface.empty())
            continue;
        if (std::find(links.begin(), links.end(), n.interface) == links.end()) {
            diags.push_back(
                {n.pos.of("interface"),
                 fmt::format("'interface' {} is not one of the underlay's {} (at {})", n.interface,
                             u.macvlan ? "links: the macvlan's 'name'" : "'interfaces'",
                             u.fabric_links_pos().str())});
        }
        auto [it, fresh] = seen.emplace(n.interface, &n);
        if (!fresh)
            diags.push_back({n.pos.of("interface"),
                             fmt::format("duplicate neighbor interface {} (also at {})",
                                         n.interface, it->second->pos.of("interface").str())});
    }
}

/// Listen ranges must not overlap: a connecting peer would match two of them.
void check_listen_ranges(const Underlay& u, Diagnostics& diags) {
    std::vector<const Neighbor*> ranges;
    for (const Neighbor& n : u.neighbors)
        if (n.listen_range)
            ranges.push_back(&n);
    // At most kMaxNeighbors entries: pairwise is fine.
    for (size_t i = 0; i < ranges.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            const IpPrefix& a = *ranges[i]->listen_range;
            const IpPrefix& b = *ranges[j]->listen_range;
            if (a.overlaps(b))
                diags.push_back({ranges[i]->pos.of("listen_range"),
                                 fmt::format("'listen_range' {} overlaps {} (at {})", a.str(),
                                             b.str(), ranges[j]->pos.of("listen_range").str())});
        }
    }
}

void read_neighbors(TableReader& r, Underlay& u, Diagnostics& diags) {
    auto tables = r.tables("neighbors");
    if (!tables) {
        if (!r.has("neighbors"))
            r.error_at(r.table_pos(), "[underlay] needs at least one [[underlay.neighbors]]");
        return;
    }
    if (tables->empty())
        r.error("neighbors", "[underlay] needs at least one [[underlay.neighbors]]");
    if (tables->size() > kMaxNeighbors)
        r.error("neighbors",
                fmt::format("too many neighbors: {} (at most {})", tables->size(), kMaxNeighbors));
    for (const toml::table* t : *tables)
        u.neighbors.push_back(convert_neighbor(*t, diags));

    check_interface_neighbors(u, diags);
    check_listen_ranges(u, diags);
    for (const Neighbor& n : u.neighbors) {
        const bool ibgp = n.type == PeerType::Internal || (n.asn && *n.asn == u.asn);
        if (n.route_reflector_client && !ibgp && (n.asn || n.type))
            diags.push_back({n.pos.of("route_reflector_client"),
                             "'route_reflector_client' needs an iBGP neighbor (type \"internal\" "
                             "or the underlay's own asn)"});
    }

    // ::ffff:10.0.0.1 is the same peer as 10.0.0.1.
    std::map<IpAddress, const Neighbor*> seen;
    for (const Neighbor& n : u.neighbors) {
        if (n.kind != PeerKind::Address || n.address.is_unspecified())
            continue;  // missing or rejected, reported already
        auto [it, fresh] = seen.emplace(unmapped(n.address), &n);
        if (fresh)
            continue;
        const IpAddress& other = it->second->address;
        diags.push_back(
            {n.pos.of("address"),
             other == n.address
                 ? fmt::format("duplicate neighbor address {} (also at {})", n.address.str(),
                               it->second->pos.of("address").str())
                 : fmt::format("duplicate neighbor address {}: the same as {} (also at {})",
                               n.address.str(), other.str(), it->second->pos.of("address").str())});
    }
}

RouteReflector convert_route_reflector(const toml::table& t, Diagnostics& diags) {
    RouteReflector rr;
    TableReader r(t, keys::kRouteReflector, rr.pos, diags);
    if (auto id = r.address("cluster_id")) {
        if (!id->is_v4() || id->is_unspecified())
            r.error("cluster_id",
                    fmt::format("'cluster_id' must be a non-zero ipv4 address, got {}", id->str()));
        else
            rr.cluster_id = *id;
    }
    return rr;
}

GracefulRestart convert_graceful_restart(const toml::table& t, Diagnostics& diags) {
    GracefulRestart gr;
    TableReader r(t, keys::kGracefulRestart, gr.pos, diags);
    if (auto v = r.number<uint32_t>("restart_time_seconds", 1, 4095))
        gr.restart_time_seconds = *v;
    if (auto v = r.number<uint32_t>("stale_path_time_seconds", 1, 4095))
        gr.stale_path_time_seconds = *v;
    return gr;
}

Srv6 convert_srv6(const toml::table& t, Diagnostics& diags) {
    Srv6 s;
    TableReader r(t, keys::kSrv6, s.pos, diags);
    // An IPv6 unicast prefix that is not one of the special ranges.
    auto read = [&](std::string_view key) -> std::optional<IpPrefix> {
        auto p = r.prefix(key);
        if (!p)
            return std::nullopt;
        if (p->is_v4()) {
            r.error(key, fmt::format("'{}' must be an ipv6 cidr, got '{}'", key, p->str()));
            return std::nullopt;
        }
        if (auto problem = pool_problem(*p)) {
            r.error(key, fmt::format("'{}' {} {}", key, p->str(), *problem));
            return std::nullopt;
        }
        return p->network();
    };
    if (auto p = read("locator")) {
        // FRR 8.4 puts a SID's function right after the locator and its peers read it at bit 64.
        if (p->length() != 64)
            r.error("locator", fmt::format("'locator' must be a /64 (FRR 8.4 advertises SIDs with "
                                           "their function at bit 64), got {}",
                                           p->str()));
        else
            s.locator = *p;
    }
    if (auto p = read("locator_pool")) {
        if (p->length() > 64)
            r.error("locator_pool",
                    fmt::format("'locator_pool' must be /64 or shorter (each node takes a /64 of "
                                "it), got {}",
                                p->str()));
        else
            s.locator_pool = *p;
    }
    if (r.has("locator") && r.has("locator_pool"))
        r.exclusive("locator", "locator_pool");
    else if (!r.has("locator") && !r.has("locator_pool"))
        r.error_at(r.table_pos(),
                   "[underlay.srv6] needs 'locator' (this node's /64) or "
                   "'locator_pool' (node i takes its i-th /64)");
    return s;
}

}  // namespace

Underlay convert_underlay(const toml::table& t, Diagnostics& diags) {
    Underlay u;
    TableReader r(t, keys::kUnderlay, u.pos, diags);
    if (auto asn = r.number<uint32_t>("asn", 1, kMaxAsn)) {
        u.asn = *asn;
    } else if (!r.has("asn")) {
        r.missing("asn");
    }
    read_interfaces(r, u);
    if (const toml::table* m = r.table("macvlan"))
        u.macvlan = convert_macvlan(*m, diags);
    if (r.has("interfaces") && r.has("macvlan"))
        r.exclusive("interfaces", "macvlan");
    else if (!r.has("interfaces") && !r.has("macvlan"))
        r.error_at(r.table_pos(),
                   "missing 'interfaces' in [underlay] (or [underlay.macvlan], a "
                   "macvlan child of a NIC the host keeps)");
    if (auto p = r.prefix("router_id_cidr")) {
        if (auto problem = p->is_v4() ? pool_problem(*p) : std::nullopt) {
            r.error("router_id_cidr", fmt::format("'router_id_cidr' {} {}", p->str(), *problem));
        } else if (p->is_v4()) {
            u.router_id_cidr = *p;
        } else {
            r.error("router_id_cidr",
                    fmt::format("'router_id_cidr' must be an ipv4 cidr, got '{}'", p->str()));
        }
    }
    u.tunnel_endpoint_cidrs =
        read_one_per_family(r, "tunnel_endpoint_cidrs", "cidr", "a cidr (ADDR/LEN)", pool_problem);
    read_neighbors(r, u, diags);
    if (const toml::table* gr = r.table("graceful_restart"))
        u.graceful_restart = convert_graceful_restart(*gr, diags);
    if (const toml::table* s = r.table("srv6"))
        u.srv6 = convert_srv6(*s, diags);
    if (const toml::table* rr = r.table("route_reflector")) {
        u.route_reflector = convert_route_reflector(*rr, diags);
        // The cluster id is a router id of its own: it must not be one of the nodes'.
        if (u.router_id_cidr.contains(u.route_reflector->cluster_id))
            diags.push_back(
                {u.route_reflector->pos.of("cluster_id"),
                 fmt::format("'cluster_id' {} is inside 'router_id_cidr' {}",
                             u.route_reflector->cluster_id.str(), u.router_id_cidr.str())});
    }
    return u;
}

}  // namespace perouter::config
