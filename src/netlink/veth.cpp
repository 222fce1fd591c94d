// veth pairs, created in one request with the peer placed straight into its namespace, so
// that no half-made pair (both ends on the host) is ever visible.
#include <fmt/format.h>
#include <netlink/route/link/veth.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

void set_create_attrs(rtnl_link* link, const plan::LinkSpec& spec) {
    rtnl_link_set_name(link, spec.name.c_str());
    if (spec.side == plan::Side::Host)
        rtnl_link_set_group(link, plan::kCreatedGroup);
    if (spec.mtu)
        rtnl_link_set_mtu(link, *spec.mtu);
    if (spec.mac) {
        NlAddrPtr mac = to_nl_addr(*spec.mac);
        rtnl_link_set_addr(link, mac.get());
    }
}

}  // namespace

Status create_veth_pair(const Namespaces& ns, const plan::LinkSpec& a, const plan::LinkSpec& b) {
    std::string subject = fmt::format("create veth '{}' with peer '{}' in {}", a.name, b.name,
                                      b.side == plan::Side::Host ? "host" : "router");
    auto sock_a = ns.socket(a.side);
    if (!sock_a.ok())
        return fail(std::move(sock_a).error().context(subject));
    auto sock_b = ns.socket(b.side);
    if (!sock_b.ok())
        return fail(std::move(sock_b).error().context(subject));

    LinkPtr link(rtnl_link_veth_alloc());
    if (!link)
        return fail(errno_error(ENOMEM, subject));
    LinkPtr peer(rtnl_link_veth_get_peer(link.get()));
    set_create_attrs(link.get(), a);
    set_create_attrs(peer.get(), b);
    if (b.side != a.side)
        rtnl_link_set_ns_fd(peer.get(), ns.fd(b.side));
    int err = rtnl_link_add(sock_a->get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0)
        return fail(nl_error(err, subject));

    auto configured = configure_link(sock_a->get(), a.name, settings_after_create(a));
    if (configured.ok())
        configured = configure_link(sock_b->get(), b.name, settings_after_create(b));
    if (!configured.ok()) {
        // Deleting one end deletes both; a pair without its alias would look foreign.
        rtnl_link_delete(sock_a->get(), link.get());
        return fail(std::move(configured).error().context(subject));
    }
    return {};
}

}  // namespace perouter::netlink::ops
