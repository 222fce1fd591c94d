// VXLAN devices: id, local VTEP and UDP port are fixed at creation (the diff recreates the
// device when they change); MAC learning is off because EVPN programs the FDB.
#include <fmt/format.h>
#include <netlink/route/link/vxlan.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

Result<LinkPtr> new_vxlan(const plan::VxlanAttrs& v) {
    LinkPtr link(rtnl_link_vxlan_alloc());
    if (!link)
        return fail(errno_error(ENOMEM, "allocate vxlan"));
    NlAddrPtr local = to_nl_addr(v.local);
    int err = 0;
    if ((err = rtnl_link_vxlan_set_id(link.get(), v.vni)) < 0 ||
        (err = rtnl_link_vxlan_set_local(link.get(), local.get())) < 0 ||
        (err = rtnl_link_vxlan_set_port(link.get(), v.port)) < 0 ||
        (err = rtnl_link_vxlan_set_learning(link.get(), v.learning ? 1 : 0)) < 0)
        return fail(nl_error(err, "vxlan attributes"));
    return link;
}

}  // namespace perouter::netlink::ops
