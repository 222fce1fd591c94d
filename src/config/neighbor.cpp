#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "config/address_rules.hpp"
#include "config/convert.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

namespace {

/// TCP_MD5SIG_MAXKEYLEN in <linux/tcp.h>: the kernel refuses a longer TCP-MD5 key.
constexpr size_t kMaxPasswordLength = 80;

Bfd convert_bfd(const toml::table& t, Diagnostics& diags) {
    Bfd b;
    TableReader r(t, keys::kBfd, b.pos, diags);
    b.receive_interval_ms = r.number<uint32_t>("receive_interval_ms", 10, 60000);
    b.transmit_interval_ms = r.number<uint32_t>("transmit_interval_ms", 10, 60000);
    b.detect_multiplier = r.number<uint32_t>("detect_multiplier", 2, 255);
    if (auto mode = r.choice("session_mode", {"active", "passive"}))
        b.passive = *mode == 1;
    b.minimum_ttl = r.number<uint32_t>("minimum_ttl", 1, 254);
    return b;
}

void read_peer(TableReader& r, Neighbor& n) {
    n.asn = r.number<uint32_t>("asn", 1, kMaxAsn);
    if (auto type = r.choice("type", {"external", "internal"}))
        n.type = *type == 0 ? PeerType::External : PeerType::Internal;
    if (r.has("asn") && r.has("type")) {
        r.exclusive("asn", "type");
    } else if (!r.has("asn") && !r.has("type")) {
        r.error_at(r.table_pos(), "[[underlay.neighbors]] needs 'asn' or 'type'");
    }
}

void read_password(TableReader& r, Neighbor& n) {
    auto pw = r.string("password");
    if (!pw)
        return;
    // Never echo the password itself into a message: errors end up in logs. A control
    // character (a newline above all) would end the line of frr.conf it is written on.
    if (pw->size() > kMaxPasswordLength) {
        r.error("password",
                fmt::format("'password' must be at most {} bytes (the kernel's TCP-MD5 key limit)",
                            kMaxPasswordLength));
    } else if (std::any_of(pw->begin(), pw->end(),
                           [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
        r.error("password", "'password' must not contain control characters");
    } else if (std::any_of(pw->begin(), pw->end(),
                           [](unsigned char c) { return std::isspace(c) != 0; })) {
        r.error("password", "'password' must not contain spaces");
    } else if (pw->empty()) {
        r.error("password", "'password' must not be empty");
    } else {
        n.password = std::move(pw);
    }
}

/// FRR's `timers KEEPALIVE HOLD`: both or neither, hold 0 (disabled) or at least 3 seconds,
/// keepalive no longer than hold.
void read_timers(TableReader& r, Neighbor& n) {
    n.hold_time_seconds = r.number<uint32_t>("hold_time_seconds", 0, 65535);
    n.keepalive_time_seconds = r.number<uint32_t>("keepalive_time_seconds", 0, 65535);
    if (n.hold_time_seconds && *n.hold_time_seconds > 0 && *n.hold_time_seconds < 3) {
        r.error(
            "hold_time_seconds",
            fmt::format("'hold_time_seconds' must be 0 or 3..65535, got {}", *n.hold_time_seconds));
        n.hold_time_seconds.reset();
    }
    if (r.has("hold_time_seconds") != r.has("keepalive_time_seconds")) {
        r.error(r.has("hold_time_seconds") ? "hold_time_seconds" : "keepalive_time_seconds",
                "'hold_time_seconds' and 'keepalive_time_seconds' must be set together");
    } else if (n.hold_time_seconds && n.keepalive_time_seconds &&
               *n.keepalive_time_seconds > *n.hold_time_seconds) {
        r.error("keepalive_time_seconds",
                fmt::format("'keepalive_time_seconds' {} must not exceed 'hold_time_seconds' {}",
                            *n.keepalive_time_seconds, *n.hold_time_seconds));
    }
    n.connect_time_seconds = r.number<uint32_t>("connect_time_seconds", 1, 65535);
}

/// `ebgp_multihop = 5` sets the TTL; `ebgp_multihop = true` enables it with FRR's default TTL.
void read_multihop(TableReader& r, Neighbor& n) {
    const toml::node* v = r.node("ebgp_multihop");
    if (!v)
        return;
    if (v->is_boolean()) {
        n.ebgp_multihop = v->as_boolean()->get();
    } else if (v->is_integer()) {
        n.ebgp_multihop_ttl = r.number<uint32_t>("ebgp_multihop", 1, 255);
    } else {
        r.type_error("ebgp_multihop", "an integer or a boolean");
    }
}

void read_address(TableReader& r, Neighbor& n) {
    auto a = r.address("address");
    if (!a)
        return;
    // A session needs a peer; this also keeps the unset default out of duplicate checks.
    if (a->is_unspecified()) {
        r.error("address", fmt::format("'address' must not be {}", a->str()));
    } else if (auto problem = neighbor_address_problem(*a)) {
        r.error("address", fmt::format("'address' {} {}", a->str(), *problem));
    } else {
        n.address = *a;
    }
}

void read_listen_range(TableReader& r, Neighbor& n) {
    auto p = r.prefix("listen_range");
    if (!p)
        return;
    if (p->has_host_bits()) {
        r.error("listen_range", fmt::format("'listen_range' {} has host bits set (the network is "
                                            "{})",
                                            p->str(), p->network().str()));
    } else if (p->address().is_link_local()) {
        r.error("listen_range",
                fmt::format("'listen_range' {} is link-local: a range of link-local peers has no "
                            "interface",
                            p->str()));
    } else if (auto problem = neighbor_address_problem(p->address())) {
        r.error("listen_range", fmt::format("'listen_range' {} {}", p->str(), *problem));
    } else {
        n.listen_range = *p;
    }
}

/// Exactly one of `address`, `interface` (BGP unnumbered) and `listen_range`.
void read_peer_location(TableReader& r, Neighbor& n) {
    const std::array<std::string_view, 3> keys = {"address", "interface", "listen_range"};
    std::vector<std::string_view> given;
    for (auto k : keys)
        if (r.has(k))
            given.push_back(k);
    if (given.empty()) {
        r.error_at(r.table_pos(),
                   "[[underlay.neighbors]] needs one of 'address', 'interface' or 'listen_range'");
        return;
    }
    if (given.size() > 1) {
        r.node(given[1]);  // records its position, where the error points
        r.exclusive(given[0], given[1]);
        return;
    }
    if (given[0] == "address") {
        n.kind = PeerKind::Address;
        read_address(r, n);
    } else if (given[0] == "interface") {
        n.kind = PeerKind::Interface;
        if (auto name = r.interface_name("interface"))
            n.interface = *name;
    } else {
        n.kind = PeerKind::ListenRange;
        read_listen_range(r, n);
    }
}

void read_families(TableReader& r, Neighbor& n) {
    auto items = r.strings("address_families");
    if (!items)
        return;
    if (items->empty())
        r.error("address_families", "'address_families' must name at least one family");
    static constexpr std::array<AddressFamily, 3> kAll = {
        AddressFamily::Ipv4Unicast, AddressFamily::Ipv6Unicast, AddressFamily::L2vpnEvpn};
    for (const auto& item : *items) {
        auto it = std::find_if(kAll.begin(), kAll.end(),
                               [&](AddressFamily f) { return to_string(f) == item.value; });
        if (it == kAll.end()) {
            r.error_at(item.pos, fmt::format("unknown address family '{}' (expected "
                                             "\"ipv4_unicast\", \"ipv6_unicast\" or "
                                             "\"l2vpn_evpn\")",
                                             item.value));
            continue;
        }
        if (std::find(n.address_families.begin(), n.address_families.end(), *it) !=
            n.address_families.end()) {
            r.error_at(item.pos, fmt::format("duplicate address family '{}'", item.value));
            continue;
        }
        n.address_families.push_back(*it);
    }
}

}  // namespace

Neighbor convert_neighbor(const toml::table& t, Diagnostics& diags) {
    Neighbor n;
    TableReader r(t, keys::kNeighbor, n.pos, diags);
    read_peer(r, n);
    read_peer_location(r, n);
    read_families(r, n);
    if (auto rrc = r.boolean("route_reflector_client"))
        n.route_reflector_client = *rrc;
    n.port = r.number<uint16_t>("port", 0, 16384);
    // A dynamic neighbor connects to this node; a port is where this node would connect.
    if (n.port && n.kind == PeerKind::ListenRange) {
        r.error(
            "port",
            "'port' cannot be used with 'listen_range': dynamic neighbors connect to this node");
        n.port.reset();
    }
    read_password(r, n);
    read_timers(r, n);
    read_multihop(r, n);
    if (const toml::table* bfd = r.table("bfd"))
        n.bfd = convert_bfd(*bfd, diags);
    return n;
}

}  // namespace perouter::config
