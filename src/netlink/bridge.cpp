// Bridges and their ports. libnl 3.7's bridge helpers know no neigh_suppress, so the port
// flags are read and written as raw AF_BRIDGE messages with IFLA_PROTINFO, like `bridge link`.
#include <fmt/format.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link/bridge.h>
#include <sys/socket.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

using PortMap = std::map<int, plan::BridgePortAttrs>;

void collect_port(nl_msg* msg, PortMap& ports) {
    nlmsghdr* hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type != RTM_NEWLINK)
        return;
    auto* ifi = static_cast<ifinfomsg*>(nlmsg_data(hdr));
    nlattr* tb[IFLA_MAX + 1] = {};
    if (nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 ||
        tb[IFLA_PROTINFO] == nullptr || !nla_is_nested(tb[IFLA_PROTINFO]))
        return;
    nlattr* port[IFLA_BRPORT_MAX + 1] = {};
    if (nla_parse_nested(port, IFLA_BRPORT_MAX, tb[IFLA_PROTINFO], nullptr) < 0)
        return;
    plan::BridgePortAttrs attrs;
    if (port[IFLA_BRPORT_LEARNING] != nullptr)
        attrs.learning = nla_get_u8(port[IFLA_BRPORT_LEARNING]) != 0;
    if (port[IFLA_BRPORT_NEIGH_SUPPRESS] != nullptr)
        attrs.neigh_suppress = nla_get_u8(port[IFLA_BRPORT_NEIGH_SUPPRESS]) != 0;
    ports[ifi->ifi_index] = attrs;
}

}  // namespace

LinkPtr new_bridge() {
    // No type: add_bridge() appends the bridge's IFLA_LINKINFO itself.
    return LinkPtr(rtnl_link_alloc());
}

// Our bridges run without STP, and with STP off the kernel still arms the forward-delay timer
// (15 s by default) for every port that comes up and reports the port again when it fires: a
// burst of 3000 link events 15 s after 1000 L2VNIs were applied, which overran the link monitor
// and cost a reconcile of everything. With a forward delay of 0 the port is reported once, as
// libvirt's and Docker's bridges are set up. libnl 3.7 has no bridge link-info module, so the
// request is libnl's for the common attributes with IFLA_LINKINFO appended here.
int add_bridge(nl_sock* sock, rtnl_link* link) {
    nl_msg* raw = nullptr;
    int err = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &raw);
    if (err < 0)
        return err;
    MsgPtr msg(raw);
    nlattr* info = nla_nest_start(msg.get(), IFLA_LINKINFO);
    bool ok = info != nullptr && nla_put_string(msg.get(), IFLA_INFO_KIND, "bridge") >= 0;
    nlattr* data = ok ? nla_nest_start(msg.get(), IFLA_INFO_DATA) : nullptr;
    ok = data != nullptr && nla_put_u32(msg.get(), IFLA_BR_FORWARD_DELAY, 0) >= 0;
    if (!ok)
        return -NLE_NOMEM;
    nla_nest_end(msg.get(), data);
    nla_nest_end(msg.get(), info);
    // nl_send_sync() frees the message.
    return nl_send_sync(sock, msg.release());
}

Status set_bridge_port(nl_sock* sock, int ifindex, const plan::BridgePortAttrs& p) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_SETLINK, 0));
    if (!msg)
        return fail(errno_error(ENOMEM, "set bridge port flags"));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_BRIDGE;
    ifi.ifi_index = ifindex;
    nlattr* info = nullptr;
    if (nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        (info = nla_nest_start(msg.get(), IFLA_PROTINFO | NLA_F_NESTED)) == nullptr ||
        nla_put_u8(msg.get(), IFLA_BRPORT_LEARNING, p.learning ? 1 : 0) < 0 ||
        nla_put_u8(msg.get(), IFLA_BRPORT_NEIGH_SUPPRESS, p.neigh_suppress ? 1 : 0) < 0)
        return fail(errno_error(EMSGSIZE, "set bridge port flags"));
    nla_nest_end(msg.get(), info);
    // nl_send_sync() frees the message.
    int err = nl_send_sync(sock, msg.release());
    if (err < 0)
        return fail(
            nl_error(err, fmt::format("set bridge port flags (learning {} neigh_suppress {})",
                                      p.learning ? "on" : "off", p.neigh_suppress ? "on" : "off")));
    return {};
}

Result<std::map<int, plan::BridgePortAttrs>> dump_bridge_ports(nl_sock* sock) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP));
    if (!msg)
        return fail(errno_error(ENOMEM, "dump bridge ports"));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_BRIDGE;
    if (nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
        return fail(errno_error(EMSGSIZE, "dump bridge ports"));
    PortMap ports;
    int err = send_and_receive(sock, msg.get(), [&](nl_msg* m) { collect_port(m, ports); });
    if (err < 0)
        return fail(nl_error(err, "dump bridge ports"));
    return ports;
}

}  // namespace perouter::netlink::ops
