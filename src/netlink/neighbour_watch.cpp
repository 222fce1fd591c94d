// Raw rtnetlink messages: libnl 3.7 reads neither a bridge's ageing time nor a neighbour's
// cache info (the age of an FDB entry), so requests and notifications are parsed here, with one
// parser for both.
#include "netlink/neighbour_watch.hpp"

#include <fmt/format.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstring>
#include <optional>
#include <vector>

#include "netlink/forwarding.hpp"

namespace perouter::netlink {

namespace {

// The kernel reports ages and the ageing time in clock_t, whose unit is USER_HZ (100 per second
// on every Linux architecture).
constexpr int64_t kMillisPerTick = 10;

reconcile::Millis ticks(uint32_t t) {
    return reconcile::Millis(static_cast<int64_t>(t) * kMillisPerTick);
}

// One neighbour or FDB message, as much of it as the refresh uses.
struct NeighMsg {
    int family = 0;
    int ifindex = 0;
    uint16_t state = 0;
    uint8_t flags = 0;
    uint32_t ext_flags = 0;
    int master = 0;
    std::optional<IpAddress> dst;
    std::optional<MacAddress> lladdr;
    std::optional<reconcile::Millis> age;  // since the entry was last updated
};

std::optional<NeighMsg> parse_neigh(nlmsghdr* hdr) {
    if ((hdr->nlmsg_type != RTM_NEWNEIGH && hdr->nlmsg_type != RTM_DELNEIGH) ||
        nlmsg_datalen(hdr) < static_cast<int>(sizeof(ndmsg)))
        return std::nullopt;
    const auto* ndm = static_cast<const ndmsg*>(nlmsg_data(hdr));
    nlattr* tb[NDA_MAX + 1] = {};
    if (nlmsg_parse(hdr, sizeof(ndmsg), tb, NDA_MAX, nullptr) < 0)
        return std::nullopt;
    NeighMsg m;
    m.family = ndm->ndm_family;
    m.ifindex = ndm->ndm_ifindex;
    m.state = ndm->ndm_state;
    m.flags = ndm->ndm_flags;
    if (tb[NDA_DST] != nullptr) {
        auto* bytes = static_cast<const uint8_t*>(nla_data(tb[NDA_DST]));
        if (nla_len(tb[NDA_DST]) == 4)
            m.dst = IpAddress::from_bytes(Family::V4, bytes);
        else if (nla_len(tb[NDA_DST]) == 16)
            m.dst = IpAddress::from_bytes(Family::V6, bytes);
    }
    if (tb[NDA_LLADDR] != nullptr && nla_len(tb[NDA_LLADDR]) == 6) {
        MacAddress mac;
        std::memcpy(mac.bytes.data(), nla_data(tb[NDA_LLADDR]), 6);
        m.lladdr = mac;
    }
    if (tb[NDA_MASTER] != nullptr && nla_len(tb[NDA_MASTER]) >= 4)
        m.master = static_cast<int>(nla_get_u32(tb[NDA_MASTER]));
    if (tb[NDA_FLAGS_EXT] != nullptr && nla_len(tb[NDA_FLAGS_EXT]) >= 4)
        m.ext_flags = nla_get_u32(tb[NDA_FLAGS_EXT]);
    if (tb[NDA_CACHEINFO] != nullptr &&
        nla_len(tb[NDA_CACHEINFO]) >= static_cast<int>(sizeof(nda_cacheinfo))) {
        nda_cacheinfo ci{};
        std::memcpy(&ci, nla_data(tb[NDA_CACHEINFO]), sizeof(ci));
        m.age = ticks(ci.ndm_updated);
    }
    return m;
}

// A dump of neighbour entries of `family`, limited by the kernel to device `ifindex`
// (AF_UNSPEC: IPv4 and IPv6 neighbours) or to bridge `ifindex` (AF_BRIDGE: its FDB) when it
// filters dumps. A dump the kernel interrupted (the table changed meanwhile) is repeated.
Result<std::vector<NeighMsg>> dump_neighbours(nl_sock* sock, bool strict, int family, int ifindex) {
    std::string_view what = family == AF_BRIDGE ? "dump fdb" : "dump neighbours";
    for (int attempt = 0;; ++attempt) {
        MsgPtr msg(nlmsg_alloc_simple(RTM_GETNEIGH, NLM_F_DUMP));
        ndmsg ndm{};
        ndm.ndm_family = static_cast<uint8_t>(family);
        if (!msg || nlmsg_append(msg.get(), &ndm, sizeof(ndm), NLMSG_ALIGNTO) < 0)
            return fail(errno_error(ENOMEM, what));
        if (strict && nla_put_u32(msg.get(), family == AF_BRIDGE ? NDA_MASTER : NDA_IFINDEX,
                                  static_cast<uint32_t>(ifindex)) < 0)
            return fail(errno_error(ENOMEM, what));
        std::vector<NeighMsg> out;
        // The requests socket asks for no automatic ACKs, so nothing is left unread.
        int r = send_and_receive(sock, msg.get(), [&](nl_msg* m) {
            if (auto n = parse_neigh(nlmsg_hdr(m)))
                out.push_back(std::move(*n));
        });
        if (r >= 0)
            return out;
        if (r != -NLE_DUMP_INTR || attempt == 2)
            return fail(nl_error(r, what));
    }
}

struct LinkFacts {
    int ifindex = 0;
    bool bridge = false;
    std::optional<uint32_t> ageing;  // clock_t
};

void read_link(nlmsghdr* hdr, LinkFacts& out) {
    if (hdr->nlmsg_type != RTM_NEWLINK || nlmsg_datalen(hdr) < static_cast<int>(sizeof(ifinfomsg)))
        return;
    auto* ifi = static_cast<ifinfomsg*>(nlmsg_data(hdr));
    out.ifindex = ifi->ifi_index;
    nlattr* tb[IFLA_MAX + 1] = {};
    if (nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 ||
        tb[IFLA_LINKINFO] == nullptr)
        return;
    nlattr* info[IFLA_INFO_MAX + 1] = {};
    if (nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) < 0 ||
        info[IFLA_INFO_KIND] == nullptr)
        return;
    out.bridge = nla_strcmp(info[IFLA_INFO_KIND], "bridge") == 0;
    if (!out.bridge || info[IFLA_INFO_DATA] == nullptr)
        return;
    nlattr* br[IFLA_BR_MAX + 1] = {};
    if (nla_parse_nested(br, IFLA_BR_MAX, info[IFLA_INFO_DATA], nullptr) < 0)
        return;
    if (br[IFLA_BR_AGEING_TIME] != nullptr && nla_len(br[IFLA_BR_AGEING_TIME]) >= 4)
        out.ageing = nla_get_u32(br[IFLA_BR_AGEING_TIME]);
}

int collect_event(nl_msg* msg, void* arg) {
    auto* ev = static_cast<NeighbourEvents*>(arg);
    nlmsghdr* hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type == RTM_NEWLINK || hdr->nlmsg_type == RTM_DELLINK) {
        if (nlmsg_datalen(hdr) < static_cast<int>(sizeof(ifinfomsg)))
            return NL_OK;
        ev->ifindexes.insert(static_cast<ifinfomsg*>(nlmsg_data(hdr))->ifi_index);
        nlattr* name = nlmsg_find_attr(hdr, sizeof(ifinfomsg), IFLA_IFNAME);
        if (name != nullptr)
            ev->links.emplace(nla_get_string(name));
        return NL_OK;
    }
    if (auto m = parse_neigh(hdr)) {
        ev->ifindexes.insert(m->ifindex);
        if (m->master != 0)
            ev->ifindexes.insert(m->master);
    }
    return NL_OK;
}

}  // namespace

Result<std::unique_ptr<NeighbourWatch>> NeighbourWatch::open(const Namespaces& ns) {
    if (ns.fd(Side::Router) < 0)
        return fail(fmt::format("router namespace '{}' does not exist", ns.router_name()), ENOENT);
    std::unique_ptr<NeighbourWatch> w(new NeighbourWatch());
    struct stat st {};
    if (fstat(ns.fd(Side::Router), &st) == 0) {
        w->router_dev_ = st.st_dev;
        w->router_ino_ = st.st_ino;
    }
    auto events = ns.socket(Side::Router);
    if (!events)
        return fail(std::move(events).error().context("neighbour events"));
    nl_socket_disable_seq_check(events->get());
    for (int group : {RTNLGRP_NEIGH, RTNLGRP_LINK})
        if (int r = nl_socket_add_membership(events->get(), group); r < 0)
            return fail(nl_error(r, "neighbour events: subscribe"));
    if (int r = nl_socket_set_nonblocking(events->get()); r < 0)
        return fail(nl_error(r, "neighbour events: non-blocking"));
    enlarge_event_buffer(events->get());
    auto requests = ns.socket(Side::Router);
    if (!requests)
        return fail(std::move(requests).error().context("neighbour requests"));
    nl_socket_disable_auto_ack(requests->get());
    int one = 1;
    // Without strict checking (kernels before 4.20) the kernel would misread the filters.
    w->strict_ = setsockopt(nl_socket_get_fd(requests->get()), SOL_NETLINK, NETLINK_GET_STRICT_CHK,
                            &one, sizeof(one)) == 0;
    w->events_ = std::move(*events);
    w->requests_ = std::move(*requests);
    return w;
}

int NeighbourWatch::fd() const {
    return nl_socket_get_fd(events_.get());
}

NeighbourEvents NeighbourWatch::drain() {
    NeighbourEvents ev;
    nl_socket_modify_cb(events_.get(), NL_CB_VALID, NL_CB_CUSTOM, collect_event, &ev);
    for (;;) {
        int r = nl_recvmsgs_default(events_.get());
        if (r == -NLE_AGAIN)
            break;
        if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW || nl_errno(r) == ENOBUFS) {
            ev.overrun = true;
            continue;
        }
        if (r < 0)
            break;
    }
    nl_socket_modify_cb(events_.get(), NL_CB_VALID, NL_CB_DEFAULT, nullptr, nullptr);
    return ev;
}

bool NeighbourWatch::watches_router(const Namespaces& ns) const {
    struct stat st {};
    int fd = ns.fd(Side::Router);
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == router_dev_ && st.st_ino == router_ino_;
}

Result<BridgeReading> NeighbourWatch::read_bridge(const std::string& name) {
    std::string subject = fmt::format("read bridge {}", name);
    MsgPtr get(nlmsg_alloc_simple(RTM_GETLINK, 0));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    if (!get || nlmsg_append(get.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_string(get.get(), IFLA_IFNAME, name.c_str()) < 0)
        return fail(errno_error(ENOMEM, subject));
    LinkFacts link;
    if (int r = send_and_receive(requests_.get(), get.get(),
                                 [&](nl_msg* m) { read_link(nlmsg_hdr(m), link); });
        r < 0)
        return fail(nl_error(r, subject));
    if (link.ifindex == 0)
        return fail(fmt::format("{}: no such link", subject), ENODEV);
    if (!link.bridge)
        return fail(fmt::format("{}: not a bridge", subject), EINVAL);

    BridgeReading out;
    out.ifindex = link.ifindex;
    if (link.ageing)
        out.tables.ageing_time = ticks(*link.ageing);
    auto neighbours = dump_neighbours(requests_.get(), strict_, AF_UNSPEC, link.ifindex);
    if (!neighbours)
        return fail(std::move(neighbours).error().context(subject));
    for (const NeighMsg& m : *neighbours) {
        if (m.ifindex != link.ifindex || !m.dst || (m.family != AF_INET && m.family != AF_INET6))
            continue;
        bool external = (m.flags & NTF_EXT_LEARNED) != 0 || (m.ext_flags & NTF_EXT_MANAGED) != 0;
        out.tables.neighbours.push_back(
            reconcile::BridgeNeighbour{*m.dst, m.lladdr, neighbour_state(m.state), external});
    }
    auto fdb = dump_neighbours(requests_.get(), strict_, AF_BRIDGE, link.ifindex);
    if (!fdb)
        return fail(std::move(fdb).error().context(subject));
    for (const NeighMsg& m : *fdb) {
        // The bridge's own entries: not a port's "self" ones (a VXLAN device's remote VTEPs).
        if (m.family != AF_BRIDGE || m.master != link.ifindex || !m.lladdr ||
            (m.flags & NTF_SELF) != 0)
            continue;
        reconcile::FdbOrigin origin = reconcile::FdbOrigin::Learned;
        if ((m.flags & NTF_EXT_LEARNED) != 0)
            origin = reconcile::FdbOrigin::External;
        else if ((m.state & (NUD_PERMANENT | NUD_NOARP)) != 0)
            origin = reconcile::FdbOrigin::Static;
        out.tables.fdb.push_back(reconcile::BridgeFdbEntry{
            *m.lladdr, origin, m.age.value_or(reconcile::Millis::zero())});
    }
    return out;
}

Status NeighbourWatch::probe(int ifindex, const IpAddress& ip) {
    std::string what = fmt::format("probe neighbour {}", ip.str());
    // Neither NLM_F_CREATE (a vanished entry stays vanished) nor NLM_F_REPLACE, and no lladdr:
    // the kernel keeps the MAC the entry has and only changes its state.
    MsgPtr msg(nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_ACK));
    ndmsg ndm{};
    ndm.ndm_family = ip.is_v4() ? AF_INET : AF_INET6;
    ndm.ndm_ifindex = ifindex;
    ndm.ndm_state = NUD_PROBE;
    if (!msg || nlmsg_append(msg.get(), &ndm, sizeof(ndm), NLMSG_ALIGNTO) < 0 ||
        nla_put(msg.get(), NDA_DST, static_cast<int>(ip.size()), ip.data()) < 0)
        return fail(errno_error(ENOMEM, what));
    if (int r = nl_send_auto(requests_.get(), msg.get()); r < 0)
        return fail(nl_error(r, what));
    if (int r = nl_wait_for_ack(requests_.get()); r < 0)
        return fail(nl_error(r, what));
    return {};
}

}  // namespace perouter::netlink
