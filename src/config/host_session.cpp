#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

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

/// "PREFIX", "PREFIX le M", "PREFIX ge N", "PREFIX ge N le M" with len < ge <= le <= bits
/// (FRR's own rule for prefix-list entries).
std::optional<PrefixFilter> parse_filter(const StringItem& item, std::string& problem) {
    std::vector<std::string> w;
    size_t pos = 0;
    const std::string& s = item.value;
    while (pos < s.size()) {
        const size_t start = s.find_first_not_of(' ', pos);
        if (start == std::string::npos)
            break;
        const size_t end = std::min(s.find(' ', start), s.size());
        w.push_back(s.substr(start, end - start));
        pos = end;
    }
    const std::string form = "must be 'PREFIX', 'PREFIX le N', 'PREFIX ge N' or 'PREFIX ge N le M'";
    if (w.empty() || w.size() % 2 == 0 || w.size() > 5) {
        problem = form;
        return std::nullopt;
    }
    auto p = IpPrefix::parse(w[0]);
    if (!p) {
        problem = form;
        return std::nullopt;
    }
    if (p->has_host_bits()) {
        problem = fmt::format("has host bits set (the network is {})", p->network().str());
        return std::nullopt;
    }
    PrefixFilter f{*p, std::nullopt, std::nullopt, item.pos};
    const int bits = p->address().bits();
    for (size_t i = 1; i + 1 < w.size(); i += 2) {
        int n = 0;
        if (w[i + 1].empty() || w[i + 1].size() > 3 ||
            w[i + 1].find_first_not_of("0123456789") != std::string::npos) {
            problem = form;
            return std::nullopt;
        }
        n = std::stoi(w[i + 1]);
        if (n > bits) {
            problem = fmt::format("'{} {}' exceeds /{}", w[i], n, bits);
            return std::nullopt;
        }
        if (w[i] == "ge" && i == 1 && !f.ge) {
            f.ge = static_cast<uint8_t>(n);
        } else if (w[i] == "le" && !f.le) {
            f.le = static_cast<uint8_t>(n);
        } else {
            problem = form;
            return std::nullopt;
        }
    }
    const int len = p->length();
    if ((f.ge && *f.ge <= len) || (f.le && *f.le <= len && !f.ge) ||
        (f.ge && f.le && *f.ge > *f.le)) {
        problem = fmt::format("needs {} < ge <= le <= {}", len, bits);
        return std::nullopt;
    }
    return f;
}

std::optional<std::vector<PrefixFilter>> read_filters(TableReader& r, std::string_view key) {
    auto items = r.strings(key);
    if (!items)
        return std::nullopt;
    if (items->size() > kMaxPrefixFilters)
        r.error(key, fmt::format("'{}' has {} entries (at most {})", key, items->size(),
                                 kMaxPrefixFilters));
    std::vector<PrefixFilter> out;
    for (const auto& item : *items) {
        std::string problem;
        if (auto f = parse_filter(item, problem)) {
            out.push_back(*f);
        } else {
            r.error_at(item.pos, fmt::format("'{}' entry '{}' {}", key, item.value, problem));
        }
    }
    return out;
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

    hs.import_prefixes = read_filters(r, "import_prefixes");
    hs.export_prefixes = read_filters(r, "export_prefixes");

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
