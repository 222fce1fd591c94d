// Internal to the observers (observe.cpp: whole namespaces; observe_scoped.cpp: named links):
// the conversions from kernel objects to reconcile::Observed values they share.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "netlink/nl.hpp"
#include "netlink/ops.hpp"
#include "plan/desired.hpp"
#include "reconcile/observed.hpp"

namespace perouter::netlink::detail {

/// What a veth's IFLA_LINK says about its peer, before both sides are known.
struct PeerRef {
    plan::Side side;
    int ifindex;
    int peer_ifindex;
    bool peer_elsewhere;  ///< IFLA_LINK_NETNSID present: the peer is in another namespace
};

/// Host links `desired` names (underlay NICs, external bridges, desired host links, the
/// interfaces of host sysctls): observed there although they are not ours.
std::set<std::string> host_names_referenced(const plan::DesiredState& desired);

/// `names` maps ifindex -> name in the link's namespace (for its master); `ports` ifindex ->
/// bridge-port flags.
reconcile::ObservedLink to_observed(rtnl_link* link, plan::Side side,
                                    const std::map<int, std::string>& names,
                                    const std::map<int, plan::BridgePortAttrs>& ports);
reconcile::ObservedRoute to_observed(const ops::KernelRoute& k, plan::Side side,
                                     const std::map<int, std::string>& names);
PeerRef peer_ref(rtnl_link* link, plan::Side side);
/// Reads net.ipv6.conf.<name>.disable_ipv6 into ObservedLink::ipv6_off for our links of `side`
/// in `links` that have a master or are in the router namespace (the ones LinkSpec::ipv6 can
/// be about), in one entry of the namespace.
Status read_ipv6_off(const Namespaces& ns, plan::Side side,
                     std::vector<reconcile::ObservedLink>& links);
/// Sets veth_peer on the links of `out` whose peers name each other.
void resolve_veth_peers(reconcile::Observed& out, const std::vector<PeerRef>& peers);

}  // namespace perouter::netlink::detail
