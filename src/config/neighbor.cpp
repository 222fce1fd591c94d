#include <fmt/format.h>

#include <algorithm>
#include <cctype>

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

}  // namespace

Neighbor convert_neighbor(const toml::table& t, Diagnostics& diags) {
    Neighbor n;
    TableReader r(t, keys::kNeighbor, n.pos, diags);
    read_peer(r, n);
    if (auto a = r.address("address")) {
        // A session needs a peer; this also keeps the unset default out of duplicate checks.
        if (a->is_unspecified()) {
            r.error("address", fmt::format("'address' must not be {}", a->str()));
        } else if (auto problem = neighbor_address_problem(*a)) {
            r.error("address", fmt::format("'address' {} {}", a->str(), *problem));
        } else {
            n.address = *a;
        }
    } else if (!r.has("address")) {
        r.missing("address");
    }
    n.port = r.number<uint16_t>("port", 0, 16384);
    read_password(r, n);
    read_timers(r, n);
    read_multihop(r, n);
    if (const toml::table* bfd = r.table("bfd"))
        n.bfd = convert_bfd(*bfd, diags);
    return n;
}

}  // namespace perouter::config
