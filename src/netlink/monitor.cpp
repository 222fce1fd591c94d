#include "netlink/monitor.hpp"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "netlink/forwarding.hpp"

namespace perouter::netlink {
namespace {

int collect_name(nl_msg* msg, void* arg) {
    auto* names = static_cast<std::vector<std::string>*>(arg);
    nlmsghdr* hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type != RTM_NEWLINK && hdr->nlmsg_type != RTM_DELLINK)
        return NL_OK;
    nlattr* name = nlmsg_find_attr(hdr, sizeof(ifinfomsg), IFLA_IFNAME);
    if (name)
        names->emplace_back(nla_get_string(name));
    return NL_OK;
}

bool same_file(int fd, dev_t dev, ino_t ino) {
    struct stat st {};
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

}  // namespace

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::open(const Namespaces& ns) {
    std::unique_ptr<LinkMonitor> m(new LinkMonitor());
    std::vector<Side> sides{Side::Host};
    if (ns.fd(Side::Router) >= 0) {
        sides.push_back(Side::Router);
        struct stat st {};
        if (fstat(ns.fd(Side::Router), &st) == 0) {
            m->router_dev_ = st.st_dev;
            m->router_ino_ = st.st_ino;
        }
    }
    for (Side side : sides) {
        auto sock = ns.socket(side);
        if (!sock)
            return fail(std::move(sock).error().context("link monitor"));
        // Notifications carry no sequence numbers of ours.
        nl_socket_disable_seq_check(sock->get());
        if (int r = nl_socket_add_membership(sock->get(), RTNLGRP_LINK); r < 0)
            return fail(nl_error(r, "link monitor: subscribe"));
        enlarge_event_buffer(sock->get());
        if (int r = nl_socket_set_nonblocking(sock->get()); r < 0)
            return fail(nl_error(r, "link monitor: non-blocking"));
        m->socks_.push_back(std::move(*sock));
    }
    return m;
}

std::vector<int> LinkMonitor::fds() const {
    std::vector<int> out;
    for (const auto& s : socks_)
        out.push_back(nl_socket_get_fd(s.get()));
    return out;
}

std::vector<std::string> LinkMonitor::drain(int fd) {
    std::vector<std::string> names;
    auto it = std::find_if(socks_.begin(), socks_.end(),
                           [&](const SocketPtr& s) { return nl_socket_get_fd(s.get()) == fd; });
    if (it == socks_.end())
        return names;
    nl_socket_modify_cb(it->get(), NL_CB_VALID, NL_CB_CUSTOM, collect_name, &names);
    for (;;) {
        int r = nl_recvmsgs_default(it->get());
        if (r == -NLE_AGAIN)
            break;
        if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW || nl_errno(r) == ENOBUFS) {
            names.emplace_back("*");  // lost events: the caller must assume anything changed
            continue;
        }
        if (r < 0)
            break;
    }
    nl_socket_modify_cb(it->get(), NL_CB_VALID, NL_CB_DEFAULT, nullptr, nullptr);
    return names;
}

Result<std::unique_ptr<ForwardingMonitor>> ForwardingMonitor::open(const Namespaces& ns,
                                                                   bool neighbours) {
    std::unique_ptr<ForwardingMonitor> m(new ForwardingMonitor());
    m->neighbours_ = neighbours;
    if (ns.fd(Side::Router) < 0)
        return m;
    auto sock = ns.socket(Side::Router);
    if (!sock)
        return fail(std::move(sock).error().context("route monitor"));
    nl_socket_disable_seq_check(sock->get());
    std::vector<int> groups{RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};
    if (neighbours)
        groups.push_back(RTNLGRP_NEIGH);
    for (int g : groups)
        if (int r = nl_socket_add_membership(sock->get(), g); r < 0)
            return fail(nl_error(r, "route monitor: subscribe"));
    enlarge_event_buffer(sock->get());
    if (int r = nl_socket_set_nonblocking(sock->get()); r < 0)
        return fail(nl_error(r, "route monitor: non-blocking"));
    m->sock_ = std::move(*sock);
    return m;
}

int ForwardingMonitor::fd() const {
    return sock_ ? nl_socket_get_fd(sock_.get()) : -1;
}

ForwardingMonitor::Changes ForwardingMonitor::drain() {
    Changes out;
    if (!sock_)
        return out;
    alignas(nlmsghdr) char buf[32768];
    for (;;) {
        ssize_t n = ::recv(fd(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            int len = static_cast<int>(n);
            for (auto* hdr = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(hdr, len);
                 hdr = NLMSG_NEXT(hdr, len)) {
                switch (hdr->nlmsg_type) {
                    case RTM_NEWROUTE:
                    case RTM_DELROUTE:
                        out.routes = true;
                        break;
                    case RTM_NEWNEIGH:
                    case RTM_DELNEIGH:
                        read_neighbour(hdr, out);
                        break;
                    default:
                        break;
                }
            }
            continue;
        }
        if (n < 0 && errno == ENOBUFS) {
            out.routes = out.neighbours = true;  // lost some: anything may have changed
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return out;
    }
}

void ForwardingMonitor::read_neighbour(nlmsghdr* hdr, Changes& out) {
    nlattr* tb[NDA_MAX + 1] = {};
    if (nlmsg_parse(hdr, sizeof(ndmsg), tb, NDA_MAX, nullptr) < 0) {
        out.neighbours = true;  // not understood: it may matter
        return;
    }
    const auto* nd = static_cast<const ndmsg*>(nlmsg_data(hdr));
    std::string_view dst;
    if (tb[NDA_DST] != nullptr)
        dst = std::string_view(static_cast<const char*>(nla_data(tb[NDA_DST])),
                               static_cast<size_t>(nla_len(tb[NDA_DST])));
    if (nd->ndm_family == AF_BRIDGE) {
        // Only FDB entries towards a remote VTEP (zebra's EVPN entries on a VXLAN device) are
        // part of the online verdict; what the bridges learn locally is not.
        if (!dst.empty())
            out.neighbours = true;
        return;
    }
    if (usability_.changes(nd->ndm_ifindex, dst, neighbour_state(nd->ndm_state),
                           hdr->nlmsg_type == RTM_DELNEIGH))
        out.neighbours = true;
}

bool LinkMonitor::watches_router(const Namespaces& ns) const {
    if (ns.fd(Side::Router) < 0)
        return router_ino_ == 0;
    return same_file(ns.fd(Side::Router), router_dev_, router_ino_);
}

}  // namespace perouter::netlink
