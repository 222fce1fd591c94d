// Every route of a namespace, parsed by libnl one message at a time (netlink/route.cpp and
// netlink/forwarding.cpp read them through here).
//
// libnl 3.7 parses one lightweight-tunnel encapsulation, MPLS: a route with another one fails
// rtnl_route_parse(), and with it the whole of rtnl_route_alloc_cache()'s dump. FRR installs
// such routes as soon as an [[l3vpn]] is up (seg6 H.Encaps routes in its VRF, seg6local
// End.DT4/End.DT6 SIDs in the main table), so a route with an encapsulation libnl does not know
// is parsed again without it; an SRv6 encapsulation's destination SID is kept beside it.
#pragma once

#include <netlink/route/route.h>

#include <functional>
#include <optional>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"

namespace perouter::netlink {

/// What the kernel said about a route beyond what libnl kept.
struct RouteEncaps {
    /// Per next hop (libnl's order): the SID an SRv6 H.Encaps route sends to, when it has one.
    std::vector<std::optional<IpAddress>> srv6_sids;
    /// The route had an encapsulation libnl does not parse (SRv6 or another).
    bool foreign = false;
};

/// Calls `each` for every IPv4 and IPv6 route of the socket's namespace (the route is valid
/// during the call only). A message that does not parse even without its encapsulation fails
/// the dump, after it was read to its end.
Status for_each_route(nl_sock* sock,
                      const std::function<void(rtnl_route*, const RouteEncaps&)>& each);

}  // namespace perouter::netlink
