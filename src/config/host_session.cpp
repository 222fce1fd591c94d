#include <fmt/format.h>

#include "config/address_rules.hpp"
#include "config/convert.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

namespace {

/// The router takes the first usable address of the pool and every node one more, so a /31
/// or /32 (/127, /128) has no room for even one node.
constexpr int kMaxLocalCidrLenV4 = 30;
constexpr int kMaxLocalCidrLenV6 = 126;

std::optional<IpPrefix> read_local_cidr(TableReader& r, std::string_view key, Family family) {
    auto p = r.prefix(key);
    if (!p)
        return std::nullopt;
    const std::string name = fmt::format("local_cidr.{}", key);
    if (p->family() != family) {
        r.error(key, fmt::format("'{}' must be an {} cidr, got '{}'", name, to_string(family),
                                 p->str()));
        return std::nullopt;
    }
    if (auto problem = pool_problem(*p)) {
        r.error(key, fmt::format("'{}' {} {}", name, p->str(), *problem));
        return std::nullopt;
    }
    int max_len = family == Family::V4 ? kMaxLocalCidrLenV4 : kMaxLocalCidrLenV6;
    if (p->length() > max_len) {
        r.error(key, fmt::format("'{}' {} is too small for a host session (at most /{})", name,
                                 p->str(), max_len));
        return std::nullopt;
    }
    return p;
}

}  // namespace

HostSession convert_host_session(const toml::table& t, const KeyTable& keys,
                                 const KeyTable& local_cidr_keys, Diagnostics& diags) {
    HostSession hs;
    TableReader r(t, keys, hs.pos, diags);
    if (auto asn = r.number<uint32_t>("asn", 1, kMaxAsn)) {
        hs.asn = *asn;
    } else if (!r.has("asn")) {
        r.missing("asn");
    }
    hs.host_asn = r.number<uint32_t>("host_asn", 1, kMaxAsn);
    if (auto type = r.choice("host_type", {"external", "internal"}))
        hs.host_type = *type == 0 ? PeerType::External : PeerType::Internal;
    if (r.has("host_asn") && r.has("host_type")) {
        r.exclusive("host_asn", "host_type");
    } else if (!r.has("host_asn") && !r.has("host_type")) {
        r.error_at(r.table_pos(), fmt::format("{} needs 'host_asn' or 'host_type'", r.where()));
    }

    const toml::table* lc = r.table("local_cidr");
    if (!lc) {
        if (!r.has("local_cidr"))
            r.missing("local_cidr");
        return hs;
    }
    TableReader cr(*lc, local_cidr_keys, hs.pos, diags, "local_cidr.");
    hs.local_cidr.ipv4 = read_local_cidr(cr, "ipv4", Family::V4);
    hs.local_cidr.ipv6 = read_local_cidr(cr, "ipv6", Family::V6);
    if (!cr.has("ipv4") && !cr.has("ipv6"))
        r.error("local_cidr", "'local_cidr' needs at least one of 'ipv4' or 'ipv6'");
    return hs;
}

}  // namespace perouter::config
