// [online]: targets (addresses or prefixes) and an optional ICMP echo probe.
#include "config/online.hpp"

#include <fmt/format.h>

#include <set>

#include "config/convert.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

namespace {

/// Upper bound on [online] targets: each one is a route lookup on every status refresh.
constexpr size_t kMaxOnlineTargets = 64;

std::optional<IpPrefix> parse_target(const std::string& text) {
    if (text.find('/') != std::string::npos) {
        auto p = IpPrefix::parse(text);
        if (!p || p->has_host_bits())
            return std::nullopt;
        return p;
    }
    if (auto a = IpAddress::parse(text))
        return IpPrefix::host_route(*a);
    return std::nullopt;
}

std::string_view family_key(Family f) {
    return f == Family::V4 ? "ipv4" : "ipv6";
}

}  // namespace

Online convert_online(const toml::table& t, Diagnostics& diags) {
    Online o;
    TableReader r(t, keys::kOnline, o.pos, diags);
    if (auto items = r.strings("targets")) {
        if (items->size() > kMaxOnlineTargets)
            r.error("targets", fmt::format("too many [online] targets: {} (at most {})",
                                           items->size(), kMaxOnlineTargets));
        std::set<IpPrefix> seen;
        for (auto& item : *items) {
            auto p = parse_target(item.value);
            if (!p) {
                r.error_at(item.pos, fmt::format("'targets' entry must be an address or a cidr "
                                                 "without host bits (ADDR or ADDR/LEN), got '{}'",
                                                 item.value));
                continue;
            }
            if (!seen.insert(*p).second) {
                r.error_at(item.pos, fmt::format("duplicate online target '{}'", item.value));
                continue;
            }
            o.targets.push_back(OnlineTarget{*p, item.pos});
        }
    }
    if (auto a = r.address("probe")) {
        if (a->is_unspecified())
            r.error("probe", "'probe' must be a unicast address, got " + a->str());
        else
            o.probe = *a;
    }
    return o;
}

namespace {

template <class Vpn>
bool carries_default(const Vpn& v, Family f) {
    if (!v.default_gateway || !v.host_session)
        return false;
    return (f == Family::V4 ? v.host_session->local_cidr.ipv4 : v.host_session->local_cidr.ipv6)
        .has_value();
}

/// The default_gateway l3vni or l3vpn whose host session has a local_cidr of family `f`, as the
/// target of `p` (validation allows one per family across both kinds).
std::optional<GatewayTarget> gateway_for(const Config& c, const IpPrefix& p) {
    for (const L3Vni& v : c.l3vnis)
        if (carries_default(v, p.family()))
            return GatewayTarget{p, v.name, v.vrf, v.vni};
    for (const L3Vpn& v : c.l3vpns)
        if (carries_default(v, p.family()))
            return GatewayTarget{p, v.name, v.vrf, 0};
    return std::nullopt;
}

}  // namespace

std::vector<GatewayTarget> online_targets(const Config& c) {
    std::vector<IpPrefix> wanted;
    if (c.online && !c.online->targets.empty()) {
        for (const auto& t : c.online->targets)
            wanted.push_back(t.prefix);
    } else {
        for (const char* d : {"0.0.0.0/0", "::/0"})
            wanted.push_back(*IpPrefix::parse(d));
    }
    std::vector<GatewayTarget> out;
    for (const IpPrefix& p : wanted)
        if (auto t = gateway_for(c, p))
            out.push_back(std::move(*t));
    return out;
}

void check_online(const Config& c, Diagnostics& diags) {
    if (!c.online)
        return;
    const Online& o = *c.online;
    for (const OnlineTarget& t : o.targets)
        if (!gateway_for(c, t.prefix))
            diags.push_back({t.pos, fmt::format("online target '{}' needs a default_gateway "
                                                "l3vni or l3vpn with an {} local_cidr",
                                                t.prefix.str(), family_key(t.prefix.family()))});
    if (o.probe && !gateway_for(c, IpPrefix::host_route(*o.probe)))
        diags.push_back(
            {o.pos.of("probe"), fmt::format("online probe '{}' needs a "
                                            "default_gateway l3vni or l3vpn with an {} "
                                            "local_cidr",
                                            o.probe->str(), family_key(o.probe->family()))});
}

}  // namespace perouter::config
