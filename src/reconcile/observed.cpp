#include "reconcile/observed.hpp"

#include <algorithm>
#include <cctype>

#include "config/names.hpp"

namespace perouter::reconcile {

const ObservedLink* Observed::link(Side side, std::string_view name) const {
    for (const auto& l : links)
        if (l.side == side && l.name == name)
            return &l;
    return nullptr;
}

bool is_underlay_nic(const ObservedLink& link) {
    return link.side == Side::Router && link.group == plan::kUnderlayGroup;
}

bool is_owned(const ObservedLink& link) {
    if (link.side == Side::Host)
        return config::is_host_link_name(link.name) &&
               (link.alias == plan::kLinkAlias || link.group == plan::kCreatedGroup);
    // The macvlan underlay has the name the operator chose; it carries kCreatedGroup from its
    // create request (netlink/macvlan.cpp).
    return config::is_router_link_name(link.name) || link.kind == plan::KernelKind::Vrf ||
           is_underlay_nic(link) ||
           (link.kind == plan::KernelKind::Macvlan && link.group == plan::kCreatedGroup);
}

bool is_owned_address(const ObservedAddress& addr, const Observed& observed) {
    const auto& a = addr.prefix.address();
    if (a.is_v6() && a.is_link_local())
        return false;
    if (addr.side == Side::Router && addr.link == "lo") {
        static const IpPrefix v4_loopback = *IpPrefix::parse("127.0.0.1/8");
        static const IpPrefix v6_loopback = *IpPrefix::parse("::1/128");
        return addr.prefix != v4_loopback && addr.prefix != v6_loopback;
    }
    const ObservedLink* link = observed.link(addr.side, addr.link);
    if (link == nullptr || !is_owned(*link) || is_underlay_nic(*link))
        return false;
    // A managed host bridge is the host's segment of the L2VNI: the node and its workloads put
    // their addresses on it. We create the bridge, but its addresses are not ours.
    return !(addr.side == Side::Host &&
             config::has_numbered_name(addr.link, config::kHostBridgePrefix));
}

std::string normalize_sysctl(std::string_view value) {
    std::string out;
    bool pending_space = false;
    for (char c : value) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

}  // namespace perouter::reconcile
