// Reads both namespaces into a reconcile::Observed: links, addresses and routes from libnl
// caches, bridge-port flags from an AF_BRIDGE dump, sysctls from /proc/sys inside each side.
#pragma once

#include <string>
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

/// The addresses of one link in `side`, without IPv6 link-local ones (for facts the planner
/// needs, such as the node index read from an interface). Fails when the link does not exist.
Result<std::vector<IpPrefix>> link_addresses(const Namespaces& ns, plan::Side side,
                                             const std::string& link);

}  // namespace perouter::netlink
