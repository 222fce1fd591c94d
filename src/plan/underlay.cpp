// The underlay: NICs moved in (or a macvlan child of a host NIC), VTEPs on lo, and the default BGP
// instance towards the fabric.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "plan/builder.hpp"

namespace perouter::plan::detail {
namespace {

std::string remote_as(const config::Neighbor& n) {
    if (n.asn)
        return std::to_string(*n.asn);
    return n.type == config::PeerType::Internal ? "internal" : "external";
}

// A name FRR accepts for a profile or peer group derived from an address or prefix.
std::string frr_name(std::string_view kind, const std::string& what) {
    std::string s = std::string(kind) + "-" + what;
    for (char& c : s)
        if (c == '.' || c == ':' || c == '/')
            c = '-';
    return s;
}

// How the neighbor lines name the neighbor, and how it is declared.
void identify(const config::Neighbor& n, frr::UnderlayNeighbor& fn) {
    switch (n.kind) {
        case config::PeerKind::Address:
            fn.form = frr::PeerForm::Address;
            fn.address = n.address.str();
            break;
        case config::PeerKind::Interface:
            fn.form = frr::PeerForm::Interface;
            fn.address = n.interface;
            break;
        case config::PeerKind::ListenRange:
            fn.form = frr::PeerForm::PeerGroup;
            fn.listen_range = n.listen_range->str();
            fn.address = frr_name("range", fn.listen_range);
            break;
    }
}

bool has(const std::vector<config::AddressFamily>& v, config::AddressFamily f) {
    return std::find(v.begin(), v.end(), f) != v.end();
}

// The family the neighbor's own address (or range) belongs to; unnumbered peers over IPv6
// link-local addresses carry IPv4 (RFC 5549).
std::optional<Family> own_family(const config::Neighbor& n) {
    switch (n.kind) {
        case config::PeerKind::Address:
            return n.address.family();
        case config::PeerKind::ListenRange:
            return n.listen_range->family();
        case config::PeerKind::Interface:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

Status plan_underlay(Builder& b) {
    const config::Underlay& u = *b.cfg.underlay;
    DesiredState& out = b.out;

    out.underlay_nics = u.interfaces;
    if (u.macvlan) {
        const config::MacvlanUnderlay& m = *u.macvlan;
        out.external_links.push_back(ExternalLink{Side::Host, m.parent, "underlay"});
        LinkSpec link;
        link.side = Side::Router;
        link.name = m.name;
        link.kind = LinkKind::Macvlan;
        link.mac = m.mac;
        link.macvlan = MacvlanAttrs{m.parent, m.mode};
        link.owner = "underlay";
        out.links.push_back(std::move(link));
        for (const IpPrefix& a : m.addresses)
            out.addresses.push_back(AddressSpec{Side::Router, m.name, a, "underlay"});
        if (m.dhcp)
            out.dhcp = DhcpClientSpec{m.name};
    }
    auto rid = router_id(u.router_id_cidr, b.node_index);
    if (!rid)
        return fail(std::move(rid).error());
    b.router_id = *rid;
    out.router_id = rid->str();

    frr::Underlay fu;
    fu.asn = u.asn;
    fu.router_id = rid->str();
    for (const IpPrefix& pool : u.tunnel_endpoint_cidrs) {
        auto vtep = vtep_address(pool, b.node_index);
        if (!vtep)
            return fail(std::move(vtep).error());
        (vtep->is_v4() ? b.vtep_v4 : b.vtep_v6) = *vtep;
        IpPrefix host = IpPrefix::host_route(*vtep);
        out.addresses.push_back(AddressSpec{Side::Router, "lo", host, "underlay"});
        (vtep->is_v4() ? fu.networks_v4 : fu.networks_v6).push_back(host.str());
    }
    // Any tunnel endpoint means EVPN. The family is activated from the start, not when the
    // first VNI appears, because activating an address family later resets the session.
    const bool evpn = !u.tunnel_endpoint_cidrs.empty();
    fu.advertise_all_vni = evpn;
    // SRv6: the locator goes to the fabric in ipv6 unicast (FRR 8.4 has no IS-IS SRv6, and
    // `no bgp network import-check` lets it be announced without a route of its own), and the
    // VPN families are activated from the start for the same reason as EVPN.
    const bool srv6 = u.srv6.has_value();
    if (srv6) {
        auto locator = config::srv6_locator(*u.srv6, b.node_index);
        if (!locator)
            return fail(std::move(locator).error());
        fu.srv6 = frr::Srv6Locator{std::string(kSrv6LocatorName), locator->str()};
        fu.networks_v6.push_back(locator->str());
    }
    const bool pt_v4 = b.cfg.passthrough && b.cfg.passthrough->host_session.local_cidr.ipv4;
    const bool pt_v6 = b.cfg.passthrough && b.cfg.passthrough->host_session.local_cidr.ipv6;

    for (const config::Neighbor& n : u.neighbors) {
        frr::UnderlayNeighbor fn;
        identify(n, fn);
        fn.remote_as = remote_as(n);
        fn.ibgp = n.type == config::PeerType::Internal || (n.asn && *n.asn == u.asn);
        fn.port = n.port;
        fn.password = n.password;
        fn.keepalive_seconds = n.keepalive_time_seconds;
        fn.hold_seconds = n.hold_time_seconds;
        fn.connect_seconds = n.connect_time_seconds;
        // With graceful restart a quick reconnect matters more than the 120 s default.
        if (!fn.connect_seconds && u.graceful_restart)
            fn.connect_seconds = 5;
        fn.ebgp_multihop = n.ebgp_multihop || n.ebgp_multihop_ttl.has_value();
        fn.ebgp_multihop_ttl = n.ebgp_multihop_ttl;
        if (n.bfd) {
            if (n.bfd->has_parameters()) {
                frr::BfdProfile p;
                p.name = frr_name(
                    "neighbor", n.kind == config::PeerKind::Address ? n.address.str() : fn.address);
                p.receive_interval_ms = n.bfd->receive_interval_ms;
                p.transmit_interval_ms = n.bfd->transmit_interval_ms;
                p.detect_multiplier = n.bfd->detect_multiplier;
                p.passive = n.bfd->passive.value_or(false);
                p.minimum_ttl = n.bfd->minimum_ttl;
                fn.bfd = frr::BfdMode::Profile;
                fn.bfd_profile = p.name;
                out.frr.bfd_profiles.push_back(std::move(p));
            } else {
                fn.bfd = frr::BfdMode::Plain;
            }
        }
        // Address families: as written, or upstream's defaults: the neighbor's own family
        // (IPv4 for an unnumbered one), the passthrough's families, IPv4 + EVPN with a tunnel
        // endpoint, and the VTEP families.
        const auto fam = own_family(n);
        if (n.address_families.empty()) {
            fn.ipv4_unicast = fam != Family::V6 || pt_v4 || evpn || b.vtep_v4.has_value();
            fn.ipv6_unicast = fam == Family::V6 || pt_v6 || b.vtep_v6.has_value();
            fn.l2vpn_evpn = evpn;
        } else {
            fn.ipv4_unicast = has(n.address_families, config::AddressFamily::Ipv4Unicast);
            fn.ipv6_unicast = has(n.address_families, config::AddressFamily::Ipv6Unicast);
            fn.l2vpn_evpn = has(n.address_families, config::AddressFamily::L2vpnEvpn);
        }
        // VPN routes and the locator travel over IPv6 sessions (validation wants at least one).
        const bool v6_session = n.kind == config::PeerKind::Interface || fam == Family::V6;
        if (srv6 && v6_session) {
            fn.ipv4_vpn = fn.ipv6_vpn = true;
            fn.ipv6_unicast = true;
        }
        fn.extended_nexthop = n.kind == config::PeerKind::Interface ||
                              (fam == Family::V6 && (fn.ipv4_unicast || fn.ipv4_vpn));
        // As upstream: a single-hop eBGP session carrying IPv6 unicast to a peer given by
        // address may peer with an address that is not on a connected subnet. FRR refuses
        // the option for an unnumbered neighbor, which is connected by definition.
        fn.disable_connected_check = n.kind != config::PeerKind::Interface && !fn.ibgp &&
                                     fn.ipv6_unicast && !fn.ebgp_multihop;
        fn.route_reflector_client = n.route_reflector_client;
        fu.neighbors.push_back(std::move(fn));
    }
    if (u.route_reflector)
        fu.cluster_id = u.route_reflector->cluster_id.str();
    if (u.graceful_restart) {
        fu.graceful_restart = true;
        fu.gr_restart_time = u.graceful_restart->restart_time_seconds;
        fu.gr_stale_path_time = u.graceful_restart->stale_path_time_seconds;
    }
    out.frr.underlay = std::move(fu);
    return {};
}

}  // namespace perouter::plan::detail
