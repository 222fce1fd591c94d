// VRF devices: the routing table is fixed at creation (the diff recreates the VRF when the
// table changes). Kernels without CONFIG_NET_VRF answer "Operation not supported".
#include <netlink/route/link/vrf.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

LinkPtr new_vrf(uint32_t table) {
    LinkPtr link(rtnl_link_vrf_alloc());
    if (link)
        rtnl_link_vrf_set_tableid(link.get(), table);
    return link;
}

}  // namespace perouter::netlink::ops
