// The macvlan underlay: a child of a host NIC, created by a request sent in the host namespace
// (where IFLA_LINK names the parent) that puts the new link straight into the router namespace
// (IFLA_NET_NS_FD), so it never appears in the host, and carries its group from the start.
#include <fmt/format.h>
#include <linux/if_link.h>
#include <netlink/route/link/macvlan.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

uint32_t kernel_mode(config::MacvlanMode m) {
    switch (m) {
        case config::MacvlanMode::Bridge:
            return MACVLAN_MODE_BRIDGE;
        case config::MacvlanMode::Vepa:
            return MACVLAN_MODE_VEPA;
        case config::MacvlanMode::Private:
            return MACVLAN_MODE_PRIVATE;
    }
    return MACVLAN_MODE_BRIDGE;
}

}  // namespace

std::optional<config::MacvlanMode> macvlan_mode(rtnl_link* link) {
    if (!rtnl_link_is_macvlan(link))
        return std::nullopt;
    switch (rtnl_link_macvlan_get_mode(link)) {
        case MACVLAN_MODE_BRIDGE:
            return config::MacvlanMode::Bridge;
        case MACVLAN_MODE_VEPA:
            return config::MacvlanMode::Vepa;
        case MACVLAN_MODE_PRIVATE:
            return config::MacvlanMode::Private;
        default:
            return std::nullopt;  // passthru or source: not one we create
    }
}

Status create_macvlan(const Namespaces& ns, const plan::LinkSpec& spec) {
    std::string subject =
        fmt::format("create macvlan '{}' on host interface '{}' in the router namespace", spec.name,
                    spec.macvlan ? spec.macvlan->parent : "");
    if (!spec.macvlan || spec.side != plan::Side::Router)
        return fail(subject + ": not a router-side macvlan", EINVAL);
    auto host = ns.socket(plan::Side::Host);
    if (!host.ok())
        return fail(std::move(host).error().context(subject));
    auto router = ns.socket(plan::Side::Router);
    if (!router.ok())
        return fail(std::move(router).error().context(subject));
    auto parent = get_link(host->get(), spec.macvlan->parent);
    if (!parent.ok())
        return fail(std::move(parent).error().context(subject));

    LinkPtr link(rtnl_link_macvlan_alloc());
    if (!link)
        return fail(errno_error(ENOMEM, subject));
    int err = rtnl_link_macvlan_set_mode(link.get(), kernel_mode(spec.macvlan->mode));
    if (err < 0)
        return fail(nl_error(err, subject));
    // A master would be one in the router namespace: it joins in the change after the create
    // request, which is sent from the host.
    auto master = lookup_master(router->get(), spec);
    if (!master.ok())
        return fail(std::move(master).error().context(subject));
    const InCreate in{false, in_create(spec, *master).up};
    set_create_attrs(link.get(), spec, *master, in);
    rtnl_link_set_link(link.get(), rtnl_link_get_ifindex(parent->get()));
    rtnl_link_set_ns_fd(link.get(), ns.fd(plan::Side::Router));
    rtnl_link_set_group(link.get(), plan::kCreatedGroup);
    err = rtnl_link_add(host->get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0)
        return fail(nl_error(err, subject));

    Status finished;
    if (spec.ipv6 != plan::Ipv6::AsCreated)
        finished = set_link_ipv6(ns, spec.side, spec.name, spec.ipv6 == plan::Ipv6::Off);
    if (finished.ok())
        finished = finish_create(router->get(), spec, *master, in);
    if (!finished.ok()) {
        if (auto created = get_link(router->get(), spec.name); created.ok())
            rtnl_link_delete(router->get(), created->get());
        return fail(std::move(finished).error().context(subject));
    }
    return {};
}

}  // namespace perouter::netlink::ops
