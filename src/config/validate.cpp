#include "config/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "config/address_rules.hpp"
#include "config/node_addresses.hpp"
#include "config/online.hpp"

namespace perouter::config {

namespace {

bool written(const Positions& pos, const std::string& key) {
    return pos.has(key);
}

std::vector<IpPrefix> cidrs_of(const HostSession& hs) {
    std::vector<IpPrefix> out;
    if (hs.local_cidr.ipv4)
        out.push_back(*hs.local_cidr.ipv4);
    if (hs.local_cidr.ipv6)
        out.push_back(*hs.local_cidr.ipv6);
    return out;
}

/// An [[l3vni]] or an [[l3vpn]]: a VRF the host reaches over a veth. The rules about VRFs,
/// host sessions and default gateways are the same for both.
struct RoutedVpn {
    std::string_view kind;  // "l3vni" / "l3vpn"
    const std::string& name;
    const std::string& vrf;
    const std::optional<HostSession>& host_session;
    bool default_gateway;
    const Positions& pos;
};

std::vector<RoutedVpn> routed_vpns(const Config& c) {
    std::vector<RoutedVpn> out;
    out.reserve(c.l3vnis.size() + c.l3vpns.size());
    for (const auto& v : c.l3vnis)
        out.push_back({"l3vni", v.name, v.vrf, v.host_session, v.default_gateway, v.pos});
    for (const auto& v : c.l3vpns)
        out.push_back({"l3vpn", v.name, v.vrf, v.host_session, v.default_gateway, v.pos});
    return out;
}

std::string cidr_key(const IpPrefix& p) {
    return p.is_v4() ? "local_cidr.ipv4" : "local_cidr.ipv6";
}

/// Which of two places was written later: by the files' merge order, then by line and column
/// within one file; `fallback` (the entries' order) when a file is not ranked.
class WriteOrder {
  public:
    explicit WriteOrder(const std::vector<std::string>& files) {
        for (size_t i = 0; i < files.size(); ++i)
            rank_.emplace(files[i], i);
    }
    bool after(const SourcePos& a, const SourcePos& b, bool fallback) const {
        if (a.file == b.file) {
            if (a.line == 0 || b.line == 0)
                return fallback;
            return std::tie(a.line, a.column) > std::tie(b.line, b.column);
        }
        auto ra = rank_.find(a.file), rb = rank_.find(b.file);
        if (ra == rank_.end() || rb == rank_.end())
            return fallback;
        return ra->second > rb->second;
    }

  private:
    std::map<std::string, size_t> rank_;
};

/// A prefix, what to call it in a message and where it was written.
struct Subnet {
    IpPrefix prefix;
    std::string what;
    SourcePos pos;
};

/// Calls report(later, earlier) for overlapping subnets in O(n log n). Two prefixes overlap
/// only when one contains the other, so after sorting by network address (shortest first) a
/// prefix overlaps an earlier one exactly when the chain of prefixes containing the previous
/// start also contains its own; it is paired with the innermost of them. Every subnet that
/// overlaps another is in at least one reported pair.
template <class Report>
void for_each_overlap(const std::vector<Subnet>& subnets, const WriteOrder& order_of,
                      Report report) {
    using Key = std::tuple<Family, IpAddress, int, size_t>;
    std::vector<Key> order;
    order.reserve(subnets.size());
    for (size_t i = 0; i < subnets.size(); ++i) {
        const IpPrefix& p = subnets[i].prefix;
        order.emplace_back(p.family(), p.network().address(), p.length(), i);
    }
    std::sort(order.begin(), order.end());
    std::vector<size_t> chain;
    for (const auto& [family, start, length, i] : order) {
        while (!chain.empty() && !subnets[chain.back()].prefix.contains(start))
            chain.pop_back();
        if (!chain.empty()) {
            size_t j = chain.back();
            if (order_of.after(subnets[i].pos, subnets[j].pos, i > j))
                report(subnets[i], subnets[j]);
            else
                report(subnets[j], subnets[i]);
        }
        chain.push_back(i);
    }
}

/// [underlay.srv6] and [[l3vpn]]: what SRv6 needs from the rest of the configuration.
void check_srv6(const Config& c, Diagnostics& diags) {
    const Underlay& u = *c.underlay;
    if (!c.l3vpns.empty() && !u.srv6)
        diags.push_back({c.l3vpns.front().pos.of(),
                         "[[l3vpn]] needs [underlay.srv6] (the locator its SIDs are taken from)"});
    if (!c.l3vpns.empty() && !c.l3vnis.empty())
        diags.push_back({c.l3vpns.front().pos.of(),
                         fmt::format("[[l3vpn]] and [[l3vni]] cannot be on one node (the "
                                     "[[l3vni]] '{}' is at {})",
                                     c.l3vnis.front().name, c.l3vnis.front().pos.of().str())});
    if (!u.srv6)
        return;
    const Srv6& s = *u.srv6;
    // The encapsulated packets leave from the node's IPv6 tunnel endpoint (`ip sr tunsrc`).
    const bool v6_endpoint =
        std::any_of(u.tunnel_endpoint_cidrs.begin(), u.tunnel_endpoint_cidrs.end(),
                    [](const IpPrefix& p) { return !p.is_v4(); });
    if (!v6_endpoint)
        diags.push_back({s.pos.of(),
                         "[underlay.srv6] needs an ipv6 cidr in the underlay's "
                         "'tunnel_endpoint_cidrs' (the source of SRv6 packets)"});
    // VPNv4/VPNv6 and the locator travel over IPv6 BGP sessions: a neighbour at an IPv6 address
    // or an unnumbered one (IPv6 link-local).
    const bool v6_session = std::any_of(u.neighbors.begin(), u.neighbors.end(), [](const auto& n) {
        return n.kind == PeerKind::Interface ||
               (n.kind == PeerKind::Address && n.address.is_v6() && unmapped(n.address).is_v6());
    });
    if (!u.neighbors.empty() && !v6_session)
        diags.push_back({s.pos.of(),
                         "[underlay.srv6] needs an underlay neighbor over ipv6 (an "
                         "ipv6 'address' or an 'interface'): SRv6 VPN routes and "
                         "the locator are carried over ipv6 sessions"});
    // The locator is routed to this node from the whole fabric: it may not overlap the node's
    // other pools.
    const IpPrefix* locator = s.locator ? &*s.locator : s.locator_pool ? &*s.locator_pool : nullptr;
    if (!locator)
        return;
    const std::string key = s.locator ? "locator" : "locator_pool";
    for (const auto& p : u.tunnel_endpoint_cidrs)
        if (p.overlaps(*locator))
            diags.push_back(
                {s.pos.of(key),
                 fmt::format("'{}' {} overlaps the tunnel endpoint cidr {} (also at {})", key,
                             locator->str(), p.str(), u.pos.of("tunnel_endpoint_cidrs").str())});
    for (const auto& v : routed_vpns(c))
        if (v.host_session)
            for (const auto& p : cidrs_of(*v.host_session))
                if (p.overlaps(*locator))
                    diags.push_back(
                        {s.pos.of(key),
                         fmt::format("'{}' {} overlaps local_cidr {} of {} '{}' (also at {})", key,
                                     locator->str(), p.str(), v.kind, v.name,
                                     v.host_session->pos.of(cidr_key(p)).str())});
}

void check_dependencies(const Config& c, Diagnostics& diags) {
    bool any_vni = !c.l3vnis.empty() || !c.l2vnis.empty();
    if (!c.underlay) {
        if (!c.l3vnis.empty())
            diags.push_back({c.l3vnis.front().pos.of(), "[[l3vni]] needs an [underlay]"});
        if (!c.l2vnis.empty())
            diags.push_back({c.l2vnis.front().pos.of(), "[[l2vni]] needs an [underlay]"});
        if (!c.l3vpns.empty())
            diags.push_back({c.l3vpns.front().pos.of(), "[[l3vpn]] needs an [underlay]"});
        if (c.passthrough)
            diags.push_back({c.passthrough->pos.of(),
                             "[passthrough] needs an [underlay] (its session lives in the default "
                             "bgp instance)"});
        if (!c.raw_frr.empty())
            diags.push_back({c.raw_frr.front().pos.of(),
                             "[[raw_frr]] needs an [underlay] (FRR runs only in the router "
                             "namespace an [underlay] creates)"});
        return;
    }
    const Underlay& u = *c.underlay;
    if (c.node.pos.empty())
        diags.push_back({u.pos.of(), "missing [node]: set 'index' or 'index_from_interface'"});
    if (any_vni && !written(u.pos, "tunnel_endpoint_cidrs"))
        diags.push_back({u.pos.of(),
                         "underlay tunnel endpoint configuration is required when L3VNIs/L2VNIs "
                         "are defined"});
    check_srv6(c, diags);
    if (c.passthrough && u.asn != 0 && c.passthrough->host_session.asn != 0 &&
        c.passthrough->host_session.asn != u.asn) {
        const HostSession& hs = c.passthrough->host_session;
        diags.push_back({hs.pos.of("asn"),
                         fmt::format("passthrough host_session 'asn' {} must equal the underlay "
                                     "'asn' {} (the session lives in the default bgp instance)",
                                     hs.asn, u.asn)});
    }
}

void check_address_family(const Config& c, const std::optional<Family>& family,
                          const Positions& pos, Diagnostics& diags) {
    if (!family || !c.underlay || c.underlay->tunnel_endpoint_cidrs.empty())
        return;
    for (const auto& p : c.underlay->tunnel_endpoint_cidrs)
        if (p.family() == *family)
            return;
    diags.push_back({pos.of("underlay_address_family"),
                     fmt::format("'underlay_address_family' {} has no tunnel endpoint cidr of "
                                 "that family",
                                 to_string(*family))});
}

void check_unique(const Config& c, const WriteOrder& order, Diagnostics& diags) {
    struct Owner {
        std::string kind;
        std::string name;
        const Positions* pos;
        size_t index;
    };
    // The first owner stays in the map; a clash is reported at whichever was written later.
    auto clash = [&](const Owner& first, const Owner& now, const std::string& key, auto message) {
        const bool now_later = order.after(now.pos->of(key), first.pos->of(key), true);
        const Owner& later = now_later ? now : first;
        const Owner& earlier = now_later ? first : now;
        diags.push_back({later.pos->of(key), message(later, earlier)});
    };
    std::map<std::string, Owner> names;
    std::map<uint32_t, Owner> vnis;
    size_t index = 0;
    auto visit = [&](const std::string& kind, const std::string& name, uint32_t vni,
                     const Positions& pos) {
        const Owner now{kind, name, &pos, index++};
        if (!name.empty()) {
            auto [it, fresh] = names.emplace(name, now);
            if (!fresh)
                clash(it->second, now, "name", [&](const Owner&, const Owner& earlier) {
                    return fmt::format("duplicate name '{}': also used by {} at {}", name,
                                       earlier.kind, earlier.pos->of("name").str());
                });
        }
        if (vni != 0) {
            auto [it, fresh] = vnis.emplace(vni, now);
            if (!fresh)
                clash(it->second, now, "vni", [&](const Owner& later, const Owner& earlier) {
                    return fmt::format("duplicate vni {}: {} '{}' and {} '{}' (also at {})", vni,
                                       earlier.kind, earlier.name, later.kind, later.name,
                                       earlier.pos->of("vni").str());
                });
        }
    };
    for (const auto& v : c.l3vnis)
        visit("l3vni", v.name, v.vni, v.pos);
    for (const auto& v : c.l2vnis)
        visit("l2vni", v.name, v.vni, v.pos);
    for (const auto& v : c.l3vpns)
        visit("l3vpn", v.name, 0, v.pos);

    // A route distinguisher names one VNI's routes; two VNIs with one RD mix their routes.
    std::map<std::string, Owner> rds;
    index = 0;
    auto visit_rd = [&](const std::string& kind, const std::string& name,
                        const std::optional<std::string>& rd, const Positions& pos) {
        const Owner now{kind, name, &pos, index++};
        if (!rd)
            return;
        auto [it, fresh] = rds.emplace(*rd, now);
        if (!fresh)
            clash(it->second, now, "rd", [&](const Owner& later, const Owner& earlier) {
                return fmt::format("duplicate rd {}: {} '{}' and {} '{}' (also at {})", *rd,
                                   earlier.kind, earlier.name, later.kind, later.name,
                                   earlier.pos->of("rd").str());
            });
    };
    for (const auto& v : c.l3vnis)
        visit_rd("l3vni", v.name, v.rd, v.pos);
    for (const auto& v : c.l2vnis)
        visit_rd("l2vni", v.name, v.rd, v.pos);
    for (const auto& v : c.l3vpns)
        visit_rd("l3vpn", v.name, v.rd, v.pos);

    // rd_assigned_number names an [[l3vpn]]'s veth (host-s-N) and its derived RD and RT.
    std::map<uint32_t, Owner> numbers;
    index = 0;
    for (const auto& v : c.l3vpns) {
        const Owner now{"l3vpn", v.name, &v.pos, index++};
        if (v.rd_assigned_number == 0)
            continue;
        auto [it, fresh] = numbers.emplace(v.rd_assigned_number, now);
        if (!fresh)
            clash(it->second, now, "rd_assigned_number",
                  [&](const Owner& later, const Owner& earlier) {
                      return fmt::format(
                          "duplicate rd_assigned_number {}: l3vpn '{}' and l3vpn '{}' (also at {})",
                          v.rd_assigned_number, earlier.name, later.name,
                          earlier.pos->of("rd_assigned_number").str());
                  });
    }

    // Underlay links live in the router namespace next to the VRFs.
    if (c.underlay) {
        const auto links = c.underlay->fabric_links();
        const std::set<std::string> nics(links.begin(), links.end());
        for (const auto& v : routed_vpns(c))
            if (nics.count(v.vrf))
                diags.push_back(
                    {v.pos.of("vrf"),
                     fmt::format("vrf '{}' has the name of an underlay interface (also at {})",
                                 v.vrf, c.underlay->fabric_links_pos().str())});
    }

    std::map<std::string, Owner> vrfs;
    index = 0;
    for (const auto& v : routed_vpns(c)) {
        const Owner now{std::string(v.kind), v.name, &v.pos, index++};
        if (v.vrf.empty())
            continue;
        auto [it, fresh] = vrfs.emplace(v.vrf, now);
        if (!fresh)
            clash(it->second, now, "vrf", [&](const Owner& later, const Owner& earlier) {
                if (later.kind == earlier.kind)
                    return fmt::format("more than one {} in vrf '{}': '{}' and '{}' (also at {})",
                                       later.kind, v.vrf, earlier.name, later.name,
                                       earlier.pos->of("vrf").str());
                return fmt::format("vrf '{}' is used by {} '{}' and {} '{}' (also at {})", v.vrf,
                                   earlier.kind, earlier.name, later.kind, later.name,
                                   earlier.pos->of("vrf").str());
            });
    }
}

/// [[raw_frr]] names are a namespace of their own (they key the merge of files, as VPN names).
void check_raw_frr_names(const Config& c, const WriteOrder& order, Diagnostics& diags) {
    std::map<std::string, const RawFrr*> seen;
    for (const auto& raw : c.raw_frr) {
        if (raw.name.empty())
            continue;
        auto [it, fresh] = seen.emplace(raw.name, &raw);
        if (fresh)
            continue;
        const RawFrr* first = it->second;
        const bool now_later = order.after(raw.pos.of("name"), first->pos.of("name"), true);
        const RawFrr& later = now_later ? raw : *first;
        const RawFrr& earlier = now_later ? *first : raw;
        diags.push_back(
            {later.pos.of("name"), fmt::format("duplicate [[raw_frr]] name '{}' (also at {})",
                                               raw.name, earlier.pos.of("name").str())});
    }
}

void check_default_gateway(const Config& c, Diagnostics& diags) {
    struct Gateway {
        std::string name;
        SourcePos pos;
    };
    std::map<Family, Gateway> gateway_of;
    for (const auto& v : routed_vpns(c)) {
        if (!v.default_gateway)
            continue;
        auto cidrs = v.host_session ? cidrs_of(*v.host_session) : std::vector<IpPrefix>{};
        if (cidrs.empty()) {
            // A host session that failed conversion was reported already.
            if (!v.host_session || !written(v.host_session->pos, "local_cidr"))
                diags.push_back({v.pos.of("default_gateway"),
                                 "'default_gateway' needs a host_session with a local_cidr"});
            continue;
        }
        for (const auto& p : cidrs) {
            auto [it, fresh] =
                gateway_of.emplace(p.family(), Gateway{v.name, v.pos.of("default_gateway")});
            if (!fresh)
                diags.push_back(
                    {v.pos.of("default_gateway"),
                     fmt::format("more than one default_gateway {} for {}: '{}' and '{}' "
                                 "(also at {})",
                                 v.kind, to_string(p.family()), it->second.name, v.name,
                                 it->second.pos.str())});
        }
    }
}

/// Host-session pools must be disjoint across every VRF and the passthrough: the host sees
/// them all in its one routing table.
void check_host_session_overlap(const Config& c, const WriteOrder& order, Diagnostics& diags) {
    std::vector<Subnet> pools;
    auto add = [&](const HostSession& hs, const std::string& owner) {
        for (const auto& p : cidrs_of(hs))
            pools.push_back({p, fmt::format("{} of {}", p.str(), owner), hs.pos.of(cidr_key(p))});
    };
    for (const auto& v : routed_vpns(c))
        if (v.host_session)
            add(*v.host_session, fmt::format("{} '{}'", v.kind, v.name));
    if (c.passthrough)
        add(c.passthrough->host_session, "passthrough");
    for_each_overlap(pools, order, [&](const Subnet& later, const Subnet& earlier) {
        diags.push_back({later.pos, fmt::format("local_cidr {} overlaps {} (also at {})",
                                                later.what, earlier.what, earlier.pos.str())});
    });
}

/// Within one VRF the L2VNI gateway subnets and the L3VNI's host-session pool share a routing
/// table, so none may overlap another.
void check_vrf_overlap(const Config& c, const WriteOrder& order, Diagnostics& diags) {
    std::map<std::string, std::vector<const L2Vni*>> routed;
    for (const auto& l2 : c.l2vnis)
        if (l2.routing_domain && !l2.gateway_ips.empty())
            routed[*l2.routing_domain].push_back(&l2);
    for (const auto& l3 : routed_vpns(c)) {
        auto it = routed.find(l3.name);
        if (l3.name.empty() || it == routed.end())
            continue;
        std::vector<Subnet> subnets;
        if (l3.host_session)
            for (const auto& p : cidrs_of(*l3.host_session))
                subnets.push_back(
                    {p, fmt::format("local_cidr {} of {} '{}'", p.str(), l3.kind, l3.name),
                     l3.host_session->pos.of(cidr_key(p))});
        for (const L2Vni* l2 : it->second)
            for (const auto& gw : l2->gateway_ips)
                subnets.push_back({gw.network(),
                                   fmt::format("gateway_ips {} of l2vni '{}'", gw.str(), l2->name),
                                   l2->pos.of("gateway_ips")});
        for_each_overlap(subnets, order, [&](const Subnet& later, const Subnet& earlier) {
            diags.push_back(
                {later.pos, fmt::format("{} overlaps {} in vrf '{}' (also at {})", later.what,
                                        earlier.what, l3.vrf, earlier.pos.str())});
        });
    }
}

void check_routing_domains(const Config& c, Diagnostics& diags) {
    std::set<std::string> l3_names;
    for (const auto& l3 : routed_vpns(c))
        l3_names.insert(l3.name);
    for (const auto& l2 : c.l2vnis) {
        if (l2.routing_domain && !l3_names.count(*l2.routing_domain))
            diags.push_back({l2.pos.of("routing_domain"),
                             fmt::format("routing_domain '{}' does not name an [[l3vni]] or an "
                                         "[[l3vpn]]",
                                         *l2.routing_domain)});
    }
}

/// With a static node index the per-node addresses are known now; a pool too small for this
/// node would otherwise only fail when the plan is built.
void check_node_addresses(const Config& c, Diagnostics& diags) {
    if (!c.node.index || !c.underlay)
        return;
    const uint32_t idx = *c.node.index;
    const Underlay& u = *c.underlay;
    auto missing = [&](const SourcePos& pos, const std::string& what, const IpPrefix& p) {
        diags.push_back(
            {pos, fmt::format("{} {} has no address for node index {}", what, p.str(), idx)});
    };
    if (!router_id(u.router_id_cidr, idx))
        missing(u.pos.of("router_id_cidr"), "'router_id_cidr'", u.router_id_cidr);
    for (const auto& p : u.tunnel_endpoint_cidrs)
        if (!vtep_address(p, idx))
            missing(u.pos.of("tunnel_endpoint_cidrs"), "'tunnel_endpoint_cidrs'", p);
    auto check_session = [&](const HostSession& hs) {
        for (const auto& p : cidrs_of(hs))
            if (!veth_addresses(p, idx))
                missing(hs.pos.of(cidr_key(p)), fmt::format("'{}'", cidr_key(p)), p);
    };
    for (const auto& v : routed_vpns(c))
        if (v.host_session)
            check_session(*v.host_session);
    if (c.passthrough)
        check_session(c.passthrough->host_session);
    if (u.srv6 && u.srv6->locator_pool && !srv6_locator(*u.srv6, idx))
        missing(u.srv6->pos.of("locator_pool"), "'locator_pool'", *u.srv6->locator_pool);
}

/// With a static node index this node's own addresses are known (the rules of
/// src/config/node_addresses.hpp); a BGP neighbour at one of them would be this node itself.
void check_neighbors_are_not_this_node(const Config& c, Diagnostics& diags) {
    if (!c.node.index || !c.underlay || c.underlay->neighbors.empty())
        return;
    const uint32_t idx = *c.node.index;
    const Underlay& u = *c.underlay;
    struct Own {
        std::string what;
        SourcePos pos;
    };
    std::map<IpAddress, Own> own;
    auto add = [&](const std::optional<IpAddress>& a, std::string what, const SourcePos& pos) {
        if (a)
            own.emplace(*a, Own{std::move(what), pos});
    };
    if (auto a = router_id(u.router_id_cidr, idx))
        add(*a, "this node's router id", u.pos.of("router_id_cidr"));
    for (const auto& p : u.tunnel_endpoint_cidrs)
        if (auto a = vtep_address(p, idx))
            add(*a, "this node's tunnel endpoint", u.pos.of("tunnel_endpoint_cidrs"));
    auto add_session = [&](const HostSession& hs, const std::string& owner) {
        for (const auto& p : cidrs_of(hs)) {
            auto ends = veth_addresses(p, idx);
            if (!ends)
                continue;
            const SourcePos& pos = hs.pos.of(cidr_key(p));
            add(ends->router.address(),
                fmt::format("the router side of the host session of {}", owner), pos);
            add(ends->host.address(),
                fmt::format("this node's host side of the host session of {}", owner), pos);
        }
    };
    for (const auto& v : routed_vpns(c))
        if (v.host_session)
            add_session(*v.host_session, fmt::format("{} '{}'", v.kind, v.name));
    if (c.passthrough)
        add_session(c.passthrough->host_session, "the passthrough");
    for (const auto& n : u.neighbors) {
        if (n.address.is_unspecified())
            continue;
        auto it = own.find(unmapped(n.address));
        if (it != own.end())
            diags.push_back({n.pos.of("address"),
                             fmt::format("neighbor address {} is {} (also at {})", n.address.str(),
                                         it->second.what, it->second.pos.str())});
    }
}

}  // namespace

void validate(const Config& c, Diagnostics& diags, const std::vector<std::string>& files) {
    const WriteOrder order(files);
    check_dependencies(c, diags);
    for (const auto& v : c.l3vnis)
        check_address_family(c, v.underlay_address_family, v.pos, diags);
    for (const auto& v : c.l2vnis)
        check_address_family(c, v.underlay_address_family, v.pos, diags);
    check_unique(c, order, diags);
    check_raw_frr_names(c, order, diags);
    check_routing_domains(c, diags);
    check_default_gateway(c, diags);
    check_online(c, diags);
    check_host_session_overlap(c, order, diags);
    check_vrf_overlap(c, order, diags);
    check_node_addresses(c, diags);
    check_neighbors_are_not_this_node(c, diags);
}

}  // namespace perouter::config
