// Reads both namespaces into a reconcile::Observed: links, addresses and routes from libnl
// caches, bridge-port flags from an AF_BRIDGE dump, sysctls from /proc/sys inside each side.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "netlink/namespaces.hpp"
#include "plan/desired.hpp"
#include "reconcile/observed.hpp"

namespace perouter::netlink {

/// Everything in the router namespace (when it exists); in the host namespace only links we
/// own (see reconcile/observed.hpp) and the links `desired` names there (underlay NICs,
/// external bridges, desired host links, interfaces of host sysctls); routes of protocol
/// kRouteProtocol; the sysctls `desired` lists. Re-reads /run/netns first.
Result<reconcile::Observed> observe(Namespaces& ns, const plan::DesiredState& desired);

/// Links by namespace and name.
using LinkNames = std::set<std::pair<plan::Side, std::string>>;

/// Only the named links (one RTM_GETLINK each; a name that does not exist is left out), the
/// addresses on them (a dump the kernel filters by interface) and, when `routes` is not empty,
/// the routes of protocol kRouteProtocol that use one of them or have the table, destination
/// and type of one of `routes`. No sysctls. What a reconcile of a few owners needs
/// (daemon/router.cpp), at a cost that does not grow with the links around them.
Result<reconcile::Observed> observe_links(Namespaces& ns, const LinkNames& names,
                                          const std::vector<plan::RouteSpec>& routes);

/// The addresses of one link in `side`, without IPv6 link-local ones (for facts the planner
/// needs, such as the node index read from an interface). Fails when the link does not exist.
Result<std::vector<IpPrefix>> link_addresses(const Namespaces& ns, plan::Side side,
                                             const std::string& link);

}  // namespace perouter::netlink
