// veth pairs, created in one request with the peer placed straight into its namespace, so
// that no half-made pair (both ends on the host) is ever visible.
#include <fmt/format.h>
#include <netlink/route/link/veth.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

Status create_veth_pair(const Namespaces& ns, const plan::LinkSpec& a, const plan::LinkSpec& b) {
    std::string subject = fmt::format("create veth '{}' with peer '{}' in {}", a.name, b.name,
                                      b.side == plan::Side::Host ? "host" : "router");
    auto sock_a = ns.socket(a.side);
    if (!sock_a.ok())
        return fail(std::move(sock_a).error().context(subject));
    auto sock_b = ns.socket(b.side);
    if (!sock_b.ok())
        return fail(std::move(sock_b).error().context(subject));
    auto master_a = lookup_master(sock_a->get(), a);
    if (!master_a.ok())
        return fail(std::move(master_a).error().context(subject));
    auto master_b = lookup_master(sock_b->get(), b);
    if (!master_b.ok())
        return fail(std::move(master_b).error().context(subject));

    LinkPtr link(rtnl_link_veth_alloc());
    if (!link)
        return fail(errno_error(ENOMEM, subject));
    LinkPtr peer(rtnl_link_veth_get_peer(link.get()));
    // `b` joins its master and comes up in the change after the create request (in_create).
    const InCreate in_a = in_create(a, *master_a);
    set_create_attrs(link.get(), a, *master_a, in_a);
    set_create_attrs(peer.get(), b, *master_b, InCreate{});
    if (b.side != a.side)
        rtnl_link_set_ns_fd(peer.get(), ns.fd(b.side));
    int err = rtnl_link_add(sock_a->get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0)
        return fail(nl_error(err, subject));

    Status finished;
    for (const plan::LinkSpec* end : {&a, &b})
        if (finished.ok() && end->ipv6 != plan::Ipv6::AsCreated)
            finished = set_link_ipv6(ns, end->side, end->name, end->ipv6 == plan::Ipv6::Off);
    if (finished.ok())
        finished = finish_create(sock_a->get(), a, *master_a, in_a);
    if (finished.ok())
        finished = finish_create(sock_b->get(), b, *master_b, InCreate{});
    if (!finished.ok()) {
        // Deleting one end deletes both.
        rtnl_link_delete(sock_a->get(), link.get());
        return fail(std::move(finished).error().context(subject));
    }
    return {};
}

}  // namespace perouter::netlink::ops
