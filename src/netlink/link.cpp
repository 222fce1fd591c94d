// Steps every link shares: create (with rollback), change only what is asked, delete (one by
// one, or many in one request).
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link/inet6.h>
#include <sys/socket.h>

#include <algorithm>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

using plan::LinkKind;

std::string create_subject(const plan::LinkSpec& s) {
    switch (s.kind) {
        case LinkKind::Bridge:
            return fmt::format("create bridge '{}'", s.name);
        case LinkKind::Vxlan:
            return fmt::format("create vxlan '{}' (id {})", s.name, s.vxlan ? s.vxlan->vni : 0);
        case LinkKind::Vrf:
            return fmt::format("create vrf '{}' (table {})", s.name,
                               s.vrf_table ? *s.vrf_table : 0);
        case LinkKind::Veth:
            return fmt::format("create veth '{}'", s.name);
        case LinkKind::Macvlan:
            return fmt::format("create macvlan '{}'", s.name);
    }
    return fmt::format("create link '{}'", s.name);
}

Status change(nl_sock* sock, rtnl_link* orig, rtnl_link* changes, std::string_view what) {
    int err = rtnl_link_change(sock, orig, changes, 0);
    if (err < 0)
        return fail(nl_error(err, what));
    return {};
}

bool gone(const Error& e) {
    return e.code == ENODEV || e.code == ENOENT;
}

// One change of a link addressed by name (RTM_NEWLINK without NLM_F_CREATE): the parts of
// finish_create() that are set.
struct Change {
    bool alias = false;
    std::optional<int> master;
    bool addr_gen_mode_none = false;
    std::optional<plan::BridgePortAttrs> bridge_port;  ///< IFLA_INFO_SLAVE_DATA of its master
    std::optional<bool> up;
};

Status send_change(nl_sock* sock, const std::string& name, const Change& c) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, 0));
    if (!msg)
        return fail(errno_error(ENOMEM, "change link"));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    if (c.up) {
        ifi.ifi_flags = *c.up ? IFF_UP : 0;
        ifi.ifi_change = IFF_UP;
    }
    bool ok = nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) >= 0 &&
              nla_put_string(msg.get(), IFLA_IFNAME, name.c_str()) >= 0;
    if (ok && c.alias)
        ok = nla_put_string(msg.get(), IFLA_IFALIAS, std::string(plan::kLinkAlias).c_str()) >= 0;
    if (ok && c.master)
        ok = nla_put_u32(msg.get(), IFLA_MASTER, static_cast<uint32_t>(*c.master)) >= 0;
    if (ok && c.addr_gen_mode_none) {
        nlattr* spec = nla_nest_start(msg.get(), IFLA_AF_SPEC);
        nlattr* inet6 = spec != nullptr ? nla_nest_start(msg.get(), AF_INET6) : nullptr;
        ok = inet6 != nullptr &&
             nla_put_u8(msg.get(), IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) >= 0;
        if (ok) {
            nla_nest_end(msg.get(), inet6);
            nla_nest_end(msg.get(), spec);
        }
    }
    if (ok && c.bridge_port) {
        nlattr* info = nla_nest_start(msg.get(), IFLA_LINKINFO);
        ok = info != nullptr && nla_put_string(msg.get(), IFLA_INFO_SLAVE_KIND, "bridge") >= 0;
        nlattr* data = ok ? nla_nest_start(msg.get(), IFLA_INFO_SLAVE_DATA) : nullptr;
        ok = data != nullptr &&
             nla_put_u8(msg.get(), IFLA_BRPORT_LEARNING, c.bridge_port->learning ? 1 : 0) >= 0 &&
             nla_put_u8(msg.get(), IFLA_BRPORT_NEIGH_SUPPRESS,
                        c.bridge_port->neigh_suppress ? 1 : 0) >= 0;
        if (ok) {
            nla_nest_end(msg.get(), data);
            nla_nest_end(msg.get(), info);
        }
    }
    std::string subject = "set";
    auto add = [&subject](std::string_view part) {
        subject += subject.size() > 3 ? ", " : " ";
        subject += part;
    };
    if (c.alias)
        add(fmt::format("alias {}", plan::kLinkAlias));
    if (c.master)
        add("master");
    if (c.addr_gen_mode_none)
        add("addrgenmode none");
    if (c.bridge_port)
        add(fmt::format("bridge-port learning {} neigh_suppress {}",
                        c.bridge_port->learning ? "on" : "off",
                        c.bridge_port->neigh_suppress ? "on" : "off"));
    if (c.up)
        add(*c.up ? "up" : "down");
    if (!ok)
        return fail(errno_error(EMSGSIZE, subject));
    // nl_send_sync() frees the message.
    int err = nl_send_sync(sock, msg.release());
    if (err < 0)
        return fail(nl_error(err, subject));
    return {};
}

}  // namespace

Result<std::optional<MasterRef>> lookup_master(nl_sock* sock, const plan::LinkSpec& spec) {
    if (!spec.master)
        return std::optional<MasterRef>();
    auto master = get_link(sock, *spec.master);
    if (!master.ok())
        return fail(std::move(master).error().context("set master"));
    const char* kind = rtnl_link_get_type(master->get());
    return std::optional<MasterRef>(MasterRef{rtnl_link_get_ifindex(master->get()),
                                              kind != nullptr && std::string_view(kind) == "vrf"});
}

InCreate in_create(const plan::LinkSpec& spec, const std::optional<MasterRef>& master) {
    return InCreate{master.has_value(), spec.up && !spec.addr_gen_mode_none &&
                                            spec.ipv6 == plan::Ipv6::AsCreated &&
                                            !(master && master->vrf)};
}

void set_create_attrs(rtnl_link* link, const plan::LinkSpec& spec,
                      const std::optional<MasterRef>& master, InCreate in) {
    rtnl_link_set_name(link, spec.name.c_str());
    if (spec.side == plan::Side::Host)
        rtnl_link_set_group(link, plan::kCreatedGroup);
    if (spec.mtu)
        rtnl_link_set_mtu(link, *spec.mtu);
    if (spec.mac) {
        NlAddrPtr mac = to_nl_addr(*spec.mac);
        rtnl_link_set_addr(link, mac.get());
    }
    if (master && in.master)
        rtnl_link_set_master(link, master->ifindex);
    if (in.up)
        rtnl_link_set_flags(link, IFF_UP);
}

Status finish_create(nl_sock* sock, const plan::LinkSpec& spec,
                     const std::optional<MasterRef>& master, InCreate in) {
    // Bridge-port flags only when they are not what a new port gets (learning on, neigh_suppress
    // off); as IFLA_INFO_SLAVE_DATA they need the master in place before the change.
    const bool port_flags =
        master && spec.bridge_port && *spec.bridge_port != plan::BridgePortAttrs{};
    const bool joins_now = master && !in.master;
    const bool flags_later = port_flags && joins_now;
    Change c;
    c.alias = true;
    if (joins_now)
        c.master = master->ifindex;
    c.addr_gen_mode_none = spec.addr_gen_mode_none;
    if (port_flags && !joins_now)
        c.bridge_port = spec.bridge_port;
    // The change sets the up flag before the master and before the IPv6 settings.
    if (spec.up && !in.up && !spec.addr_gen_mode_none && !(joins_now && master->vrf) &&
        !flags_later)
        c.up = true;
    PEROUTER_TRY(send_change(sock, spec.name, c));
    if (flags_later) {
        Change flags;
        flags.bridge_port = spec.bridge_port;
        PEROUTER_TRY(send_change(sock, spec.name, flags));
    }
    if (spec.up && !in.up && !c.up) {
        Change up;
        up.up = true;
        PEROUTER_TRY(send_change(sock, spec.name, up));
    }
    return {};
}

Status configure_link(nl_sock* sock, const std::string& name, const LinkSettings& s) {
    if (s.up && !s.master && !s.mtu && !s.mac && !s.alias && !s.addr_gen_mode_none &&
        !s.bridge_port) {
        // Up or down only (a new bridge or port once the ports have joined, reconcile/diff.cpp):
        // one request by name.
        Change c;
        c.up = s.up;
        return send_change(sock, name, c);
    }
    auto link = get_link(sock, name);
    if (!link.ok())
        return fail(std::move(link).error());

    LinkPtr attrs(rtnl_link_alloc());
    bool any = false;
    if (s.mtu) {
        rtnl_link_set_mtu(attrs.get(), *s.mtu);
        any = true;
    }
    if (s.mac) {
        NlAddrPtr mac = to_nl_addr(*s.mac);
        rtnl_link_set_addr(attrs.get(), mac.get());
        any = true;
    }
    if (s.alias) {
        rtnl_link_set_ifalias(attrs.get(), s.alias->c_str());
        any = true;
    }
    if (s.addr_gen_mode_none) {
        int err = rtnl_link_inet6_set_addr_gen_mode(attrs.get(), IN6_ADDR_GEN_MODE_NONE);
        if (err < 0)
            return fail(nl_error(err, "set addrgenmode"));
        any = true;
    }
    if (s.master) {
        int master_index = 0;
        if (!s.master->empty()) {
            auto master = get_link(sock, *s.master);
            if (!master.ok())
                return fail(std::move(master).error().context("set master"));
            master_index = rtnl_link_get_ifindex(master->get());
        }
        rtnl_link_set_master(attrs.get(), master_index);
        any = true;
    }
    if (any)
        PEROUTER_TRY(change(sock, link->get(), attrs.get(), "set attributes"));

    if (s.bridge_port)
        PEROUTER_TRY(set_bridge_port(sock, rtnl_link_get_ifindex(link->get()), *s.bridge_port));

    if (s.up) {
        LinkPtr flags(rtnl_link_alloc());
        if (*s.up) {
            rtnl_link_set_flags(flags.get(), IFF_UP);
        } else {
            rtnl_link_unset_flags(flags.get(), IFF_UP);
        }
        PEROUTER_TRY(change(sock, link->get(), flags.get(), *s.up ? "set up" : "set down"));
    }
    return {};
}

Status create_link(const Namespaces& ns, const reconcile::CreateLink& c) {
    const plan::LinkSpec& spec = c.spec;
    if (c.peer)
        return create_veth_pair(ns, spec, *c.peer);
    if (spec.kind == LinkKind::Macvlan)
        return create_macvlan(ns, spec);

    auto sock = ns.socket(spec.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(create_subject(spec)));

    Result<LinkPtr> link = fail(fmt::format("link kind needs its attributes"), EINVAL);
    switch (spec.kind) {
        case LinkKind::Bridge:
            link = new_bridge();
            break;
        case LinkKind::Vxlan:
            if (spec.vxlan)
                link = new_vxlan(*spec.vxlan);
            break;
        case LinkKind::Vrf:
            if (spec.vrf_table)
                link = new_vrf(*spec.vrf_table);
            break;
        case LinkKind::Veth:
            link = fail(std::string("a veth is created together with its peer"), EINVAL);
            break;
        case LinkKind::Macvlan:
            break;  // create_macvlan()
    }
    if (!link.ok())
        return fail(std::move(link).error().context(create_subject(spec)));
    auto master = lookup_master(sock->get(), spec);
    if (!master.ok())
        return fail(std::move(master).error().context(create_subject(spec)));
    const InCreate in = in_create(spec, *master);
    set_create_attrs(link->get(), spec, *master, in);
    int err = spec.kind == LinkKind::Bridge
                  ? add_bridge(sock->get(), link->get())
                  : rtnl_link_add(sock->get(), link->get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0)
        return fail(nl_error(err, create_subject(spec)));

    Status finished;
    if (spec.ipv6 != plan::Ipv6::AsCreated)
        finished = set_link_ipv6(ns, spec.side, spec.name, spec.ipv6 == plan::Ipv6::Off);
    if (finished.ok())
        finished = finish_create(sock->get(), spec, *master, in);
    if (!finished.ok()) {
        // A link without all its settings is deleted, and the next reconcile tries again.
        rtnl_link_delete(sock->get(), link->get());
        return fail(std::move(finished).error().context(create_subject(spec)));
    }
    return {};
}

Status modify_link(const Namespaces& ns, const reconcile::ModifyLink& m) {
    std::string subject = fmt::format("change {} '{}'", plan::to_string(m.kind), m.name);
    auto sock = ns.socket(m.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    if (m.ipv6_off) {
        // Before `up`, so that IPv6 never starts on a link that comes up with this change (or
        // starts as it comes up).
        auto set = set_link_ipv6(ns, m.side, m.name, *m.ipv6_off);
        if (!set.ok())
            return fail(std::move(set).error().context(subject));
    }
    if (!m.master && !m.mtu && !m.mac && !m.alias && !m.addr_gen_mode_none && !m.bridge_port &&
        !m.up)
        return {};
    LinkSettings s;
    s.master = m.master;
    s.mtu = m.mtu;
    s.mac = m.mac;
    s.alias = m.alias;
    s.addr_gen_mode_none = m.addr_gen_mode_none;
    s.bridge_port = m.bridge_port;
    s.up = m.up;
    auto r = configure_link(sock->get(), m.name, s);
    if (!r.ok())
        return fail(std::move(r).error().context(subject));
    return {};
}

namespace {

std::string delete_subject(const reconcile::DeleteLink& d) {
    return fmt::format("delete {} '{}'", reconcile::link_noun(d), d.name);
}

// The link to delete, nullptr if it is gone already, or why it must not be deleted.
Result<LinkPtr> deletable(nl_sock* sock, const reconcile::DeleteLink& d) {
    auto link = get_link(sock, d.name);
    if (!link.ok()) {
        if (gone(link.error()))
            return LinkPtr{};
        return fail(std::move(link).error().context(delete_subject(d)));
    }
    // The diff only deletes host links carrying our alias; check again right before acting.
    const char* alias = rtnl_link_get_ifalias(link->get());
    if (d.side == plan::Side::Host && (alias == nullptr || alias != plan::kLinkAlias))
        return fail(fmt::format("{}: not ours (its alias is not '{}')", delete_subject(d),
                                plan::kLinkAlias),
                    EPERM);
    return std::move(link).value();
}

// The ifindex of the link in `msg` when it is in `group`.
std::optional<int> member_of(nl_msg* msg, uint32_t group) {
    nlmsghdr* hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type != RTM_NEWLINK || !nlmsg_valid_hdr(hdr, sizeof(ifinfomsg)))
        return std::nullopt;
    const nlattr* attr = nlmsg_find_attr(hdr, sizeof(ifinfomsg), IFLA_GROUP);
    if (attr == nullptr || nla_get_u32(const_cast<nlattr*>(attr)) != group)
        return std::nullopt;
    return static_cast<const ifinfomsg*>(nlmsg_data(hdr))->ifi_index;
}

// ifindexes of the links in `group`: one dump, of which only each link's group is read, without
// the links' statistics. The kernel cannot filter a dump by group, and a link cache of every
// link (rtnl_link_alloc_cache) cost ~50 ms of CPU per removal next to 1000 VNIs.
Result<std::vector<int>> group_members(nl_sock* sock, uint32_t group) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    if (!msg || nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
        return fail(errno_error(ENOMEM, "dump links"));
    std::vector<int> members;
    int err = send_and_receive(sock, msg.get(), [&](nl_msg* m) {
        if (auto index = member_of(m, group))
            members.push_back(*index);
    });
    if (err < 0)
        return fail(nl_error(err, "dump links"));
    return members;
}

// RTM_DELLINK without an index or a name: every link in the group (libnl has no call for it).
Status delete_group(nl_sock* sock, uint32_t group) {
    MsgPtr msg(nlmsg_alloc_simple(RTM_DELLINK, 0));
    if (!msg)
        return fail("delete link group: out of memory", ENOMEM);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    if (nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), IFLA_GROUP, group) < 0)
        return fail("delete link group: message too small", ENOBUFS);
    int err = nl_send_auto_complete(sock, msg.get());
    if (err >= 0)
        err = nl_wait_for_ack(sock);
    if (err < 0)
        return fail(nl_error(err, fmt::format("delete link group {}", group)));
    return {};
}

}  // namespace

Status delete_link(const Namespaces& ns, const reconcile::DeleteLink& d) {
    auto sock = ns.socket(d.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(delete_subject(d)));
    auto link = deletable(sock->get(), d);
    if (!link.ok())
        return fail(std::move(link).error());
    if (!*link)
        return {};
    int err = rtnl_link_delete(sock->get(), link->get());
    if (err < 0 && !gone(nl_error(err, "")))
        return fail(nl_error(err, delete_subject(d)));
    return {};
}

DeleteLinksResult delete_links(const Namespaces& ns, const std::vector<reconcile::DeleteLink>& ds) {
    DeleteLinksResult r;
    std::vector<Status>& out = r.results;
    out.resize(ds.size());
    if (ds.size() < 2) {
        for (size_t i = 0; i < ds.size(); ++i)
            out[i] = delete_link(ns, ds[i]);
        return r;
    }
    auto sock = ns.socket(ds.front().side);
    if (!sock.ok()) {
        for (size_t i = 0; i < ds.size(); ++i)
            out[i] = fail(Error(sock.error()).context(delete_subject(ds[i])));
        return r;
    }
    std::vector<size_t> marked;
    std::vector<int> marked_ifindexes;
    for (size_t i = 0; i < ds.size(); ++i) {
        auto link = deletable(sock->get(), ds[i]);
        if (!link.ok()) {
            out[i] = fail(std::move(link).error());
            continue;
        }
        if (!*link)
            continue;
        LinkPtr attrs(rtnl_link_alloc());
        rtnl_link_set_group(attrs.get(), plan::kDeletingGroup);
        if (Status st = change(sock->get(), link->get(), attrs.get(), "mark for deletion"); !st) {
            out[i] = fail(std::move(st).error().context(delete_subject(ds[i])));
            continue;
        }
        marked.push_back(i);
        marked_ifindexes.push_back(rtnl_link_get_ifindex(link->get()));
    }
    if (marked.empty())
        return r;
    // Only ever delete what was marked here: anything else in the group (another program's
    // link, a leftover of an interrupted run) sends every link down the one-by-one path.
    auto members = group_members(sock->get(), plan::kDeletingGroup);
    bool only_ours = members.ok();
    if (only_ours) {
        std::sort(marked_ifindexes.begin(), marked_ifindexes.end());
        for (int ifindex : *members)
            only_ours &=
                std::binary_search(marked_ifindexes.begin(), marked_ifindexes.end(), ifindex);
    }
    if (only_ours && delete_group(sock->get(), plan::kDeletingGroup)) {
        r.one_request = true;
        return r;
    }
    for (size_t i : marked)
        out[i] = delete_link(ns, ds[i]);
    return r;
}

Status set_router_lo_up(const Namespaces& ns) {
    auto sock = ns.socket(plan::Side::Router);
    if (!sock.ok())
        return fail(std::move(sock).error().context("set lo up"));
    LinkSettings s;
    s.up = true;
    auto r = configure_link(sock->get(), "lo", s);
    if (!r.ok())
        return fail(std::move(r).error().context("set lo up in router"));
    return {};
}

}  // namespace perouter::netlink::ops
