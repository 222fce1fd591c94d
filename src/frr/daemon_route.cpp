#include "frr/daemon_route.hpp"

#include <array>

namespace perouter::frr {
namespace {

using Mask = unsigned;

constexpr Mask bit(Daemon d) {
    return 1u << static_cast<unsigned>(d);
}

constexpr std::array kOrder{Daemon::Zebra, Daemon::Staticd, Daemon::Bfdd, Daemon::Bgpd};
constexpr Mask kAll =
    bit(Daemon::Zebra) | bit(Daemon::Staticd) | bit(Daemon::Bfdd) | bit(Daemon::Bgpd);
constexpr Mask kRouteMap = bit(Daemon::Zebra) | bit(Daemon::Bgpd);  // VTYSH_RMAP
constexpr Mask kPrefixList = kRouteMap | bit(Daemon::Bfdd);         // VTYSH_ACL
constexpr Mask kVrf = bit(Daemon::Zebra) | bit(Daemon::Staticd);    // VTYSH_VRF

// The top-level stanza a line is in: what its indented lines (and its closing line) are.
enum class Stanza { None, RouterBgp, Vrf, RouteMap, Bfd, SegmentRouting };

struct Top {
    std::string_view prefix;  // the line starts with it (after a `no ` it may have)
    Mask daemons;
    Stanza opens;  // the stanza a positive line opens; its `no` form opens none
};

// render()'s top-level lines (frr/render.cpp) and delta()'s `no` forms of them.
constexpr std::array kTop{
    Top{"frr defaults ", kAll, Stanza::None},
    Top{"log ", kAll, Stanza::None},
    Top{"ip nht ", bit(Daemon::Zebra), Stanza::None},
    Top{"ipv6 nht ", bit(Daemon::Zebra), Stanza::None},
    Top{"ip prefix-list ", kPrefixList, Stanza::None},
    Top{"ipv6 prefix-list ", kPrefixList, Stanza::None},
    Top{"bgp route-map delay-timer ", bit(Daemon::Bgpd), Stanza::None},
    Top{"route-map ", kRouteMap, Stanza::RouteMap},
    Top{"vrf ", kVrf, Stanza::Vrf},
    Top{"router bgp ", bit(Daemon::Bgpd), Stanza::RouterBgp},
};

// zebra's SRv6 locators (vtysh's VTYSH_SR: zebra, and pathd, which this instance does not run).
constexpr Mask kSegmentRouting = bit(Daemon::Zebra);

bool starts_with_word(std::string_view line, std::string_view word) {
    return line == word ||
           (line.starts_with(word) && line.size() > word.size() && line[word.size()] == ' ');
}

// A top-level line: its daemons, and the stanza it opens (nullopt: not in the table).
std::optional<std::pair<Mask, Stanza>> top_level(std::string_view line) {
    if (line == "bfd")
        return std::pair{bit(Daemon::Bfdd), Stanza::Bfd};
    if (line == "segment-routing")
        return std::pair{kSegmentRouting, Stanza::SegmentRouting};
    const bool no = line.starts_with("no ");
    const std::string_view rest = no ? line.substr(3) : line;
    for (const Top& t : kTop)
        if (rest.starts_with(t.prefix))
            return std::pair{t.daemons, no ? Stanza::None : t.opens};
    return std::nullopt;
}

// A line inside a stanza (indented), or its closing line.
std::optional<Mask> inside(Stanza s, std::string_view line) {
    const std::string_view body = line.substr(line.find_first_not_of(' '));
    const bool no = body.starts_with("no ");
    const std::string_view rest = no ? body.substr(3) : body;
    switch (s) {
        case Stanza::RouterBgp:
            return bit(Daemon::Bgpd);  // every line under `router bgp` is bgpd's
        case Stanza::Bfd:
            return bit(Daemon::Bfdd);  // profiles and their settings
        case Stanza::SegmentRouting:
            return kSegmentRouting;  // srv6 / locators / locator / prefix and their exits
        case Stanza::Vrf:
            if (starts_with_word(rest, "vni"))
                return bit(Daemon::Zebra);
            return std::nullopt;
        case Stanza::RouteMap:
            if (rest.starts_with("match ip address prefix-list ") ||
                rest.starts_with("match ipv6 address prefix-list "))
                return kRouteMap;
            // The next hops of an SRv6 VRF's VPN export (frr/render.cpp): lib's route-map
            // command, and bgpd's own for IPv6.
            if (rest.starts_with("set ip next-hop "))
                return kRouteMap;
            if (rest.starts_with("set ipv6 next-hop global "))
                return bit(Daemon::Bgpd);
            return std::nullopt;  // other `set` commands differ by daemon
        case Stanza::None:
            break;
    }
    return std::nullopt;
}

// What closes the stanza, and whom it goes to.
std::optional<Mask> closing(Stanza s, std::string_view line) {
    switch (s) {
        case Stanza::RouterBgp:
            return line == "exit" ? std::optional<Mask>(bit(Daemon::Bgpd)) : std::nullopt;
        case Stanza::RouteMap:
            return line == "exit" ? std::optional<Mask>(kRouteMap) : std::nullopt;
        case Stanza::Bfd:
            return line == "exit" ? std::optional<Mask>(bit(Daemon::Bfdd)) : std::nullopt;
        case Stanza::SegmentRouting:
            return line == "exit" ? std::optional<Mask>(kSegmentRouting) : std::nullopt;
        case Stanza::Vrf:
            return line == "exit-vrf" ? std::optional<Mask>(kVrf) : std::nullopt;
        case Stanza::None:
            break;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Daemon d) {
    switch (d) {
        case Daemon::Zebra:
            return "zebra";
        case Daemon::Staticd:
            return "staticd";
        case Daemon::Bfdd:
            return "bfdd";
        case Daemon::Bgpd:
            return "bgpd";
    }
    return "?";
}

std::optional<std::vector<DaemonScript>> split_by_daemon(std::string_view script) {
    std::array<std::string, kOrder.size()> parts;
    Stanza stanza = Stanza::None;
    while (!script.empty()) {
        const size_t nl = script.find('\n');
        std::string_view line = script.substr(0, nl);
        script = nl == std::string_view::npos ? std::string_view{} : script.substr(nl + 1);
        const size_t first = line.find_first_not_of(' ');
        if (first == std::string_view::npos || line[first] == '!')
            continue;
        while (line.back() == ' ')
            line.remove_suffix(1);
        std::optional<Mask> to;
        if (first > 0) {
            to = inside(stanza, line);
        } else if (auto c = closing(stanza, line)) {
            to = c;
            stanza = Stanza::None;
        } else if (auto t = top_level(line)) {
            to = t->first;
            stanza = t->second;
        }
        if (!to)
            return std::nullopt;
        for (Daemon d : kOrder)
            if (*to & bit(d)) {
                parts[static_cast<size_t>(d)] += line;
                parts[static_cast<size_t>(d)] += '\n';
            }
    }
    std::vector<DaemonScript> out;
    for (Daemon d : kOrder)
        if (!parts[static_cast<size_t>(d)].empty())
            out.push_back({d, std::move(parts[static_cast<size_t>(d)])});
    return out;
}

}  // namespace perouter::frr
