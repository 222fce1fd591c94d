#include "netlink/namespaces.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/magic.h>
#include <netlink/route/link/vrf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace perouter::netlink {

namespace {

constexpr const char* kNetnsDir = "/run/netns";
constexpr const char* kThreadNetns = "/proc/thread-self/ns/net";

Result<Fd> open_ns(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errno_error(errno, fmt::format("open {}", path)));
    return Fd(fd);
}

// True when `path` is a bind mount of a namespace (nsfs), not a leftover plain file.
bool is_nsfs(int fd) {
    struct statfs st {};
    return fstatfs(fd, &st) == 0 && st.f_type == NSFS_MAGIC;
}

// /run/netns must be a shared mount so that namespaces mounted later are visible in every
// mount namespace that has it (FRR's, a unit's). iproute2 does the same dance.
Status make_netns_dir_shared() {
    if (mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST)
        return fail(errno_error(errno, fmt::format("mkdir {}", kNetnsDir)));
    bool bound = false;
    while (mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
        if (errno != EINVAL || bound)
            return fail(errno_error(errno, fmt::format("make {} a shared mount", kNetnsDir)));
        // Not a mount point yet: bind it onto itself first.
        if (mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) != 0)
            return fail(errno_error(errno, fmt::format("bind-mount {} onto itself", kNetnsDir)));
        bound = true;
    }
    return {};
}

Result<SocketPtr> connect_here() {
    SocketPtr sock(nl_socket_alloc());
    if (!sock)
        return fail(errno_error(ENOMEM, "allocate netlink socket"));
    int err = nl_connect(sock.get(), NETLINK_ROUTE);
    if (err < 0)
        return fail(nl_error(err, "connect netlink socket"));
    return sock;
}

}  // namespace

Result<NetnsGuard> NetnsGuard::enter(int target_fd) {
    if (target_fd < 0)
        return fail("namespace is not open", ENOENT);
    auto saved = open_ns(kThreadNetns);
    if (!saved.ok())
        return fail(std::move(saved).error());
    if (setns(target_fd, CLONE_NEWNET) != 0)
        return fail(errno_error(errno, "setns"));
    return NetnsGuard(std::move(*saved));
}

NetnsGuard::~NetnsGuard() {
    if (!saved_.valid())
        return;
    if (setns(saved_.get(), CLONE_NEWNET) != 0) {
        // The thread would go on working in the wrong namespace and change objects there:
        // stopping is the only safe choice.
        std::perror("perouter: cannot return to the original network namespace");
        std::abort();
    }
}

Result<Namespaces> Namespaces::open(std::string router, std::string host) {
    // Names become paths under /run/netns: no separators, no way out of the directory.
    auto bad = [](const std::string& n) {
        return n.find('/') != std::string::npos || n == "." || n == "..";
    };
    if (router.empty() || bad(router))
        return fail(fmt::format("invalid router namespace name '{}'", router), EINVAL);
    if (bad(host))
        return fail(fmt::format("invalid host namespace name '{}'", host), EINVAL);
    auto host_fd =
        open_ns(host.empty() ? std::string(kThreadNetns) : fmt::format("{}/{}", kNetnsDir, host));
    if (!host_fd.ok())
        return fail(std::move(host_fd).error().context("open host namespace"));
    Namespaces ns(std::move(router), std::move(*host_fd));
    ns.refresh_router();
    return ns;
}

std::string Namespaces::router_path() const {
    return fmt::format("{}/{}", kNetnsDir, router_name_);
}

void Namespaces::refresh_router() {
    auto fd = open_ns(router_path());
    if (!fd.ok() || !is_nsfs(fd->get())) {
        router_fd_.reset();
        return;
    }
    router_fd_ = std::move(*fd);
}

Result<NetnsGuard> Namespaces::enter(Side side) const {
    if (side == Side::Router && !router_fd_.valid())
        return fail(fmt::format("router namespace '{}' does not exist", router_name_), ENOENT);
    auto g = NetnsGuard::enter(fd(side));
    if (!g.ok())
        return fail(std::move(g).error().context(
            fmt::format("enter {} namespace", side == Side::Host ? "host" : "router")));
    return g;
}

Result<SocketPtr> Namespaces::socket(Side side) const {
    return run_in(side, [] { return connect_here(); });
}

Status Namespaces::create_router() {
    refresh_router();
    std::string path = router_path();
    if (!router_fd_.valid()) {
        PEROUTER_TRY(make_netns_dir_shared());
        int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
        if (fd < 0 && errno != EEXIST)
            return fail(errno_error(errno, fmt::format("create {}", path)));
        if (fd >= 0)
            ::close(fd);

        // unshare() moves only this thread into the new namespace; the bind mount keeps the
        // namespace alive after the thread returns to where it was.
        auto saved = open_ns(kThreadNetns);
        if (!saved.ok())
            return fail(std::move(saved).error());
        if (unshare(CLONE_NEWNET) != 0) {
            int e = errno;
            ::unlink(path.c_str());
            return fail(errno_error(e, "create network namespace"));
        }
        int mount_errno =
            mount(kThreadNetns, path.c_str(), "none", MS_BIND, nullptr) == 0 ? 0 : errno;
        if (setns(saved->get(), CLONE_NEWNET) != 0) {
            std::perror("perouter: cannot return to the original network namespace");
            std::abort();
        }
        if (mount_errno != 0) {
            ::unlink(path.c_str());
            return fail(
                errno_error(mount_errno, fmt::format("bind-mount namespace onto {}", path)));
        }
        refresh_router();
        if (!router_fd_.valid())
            return fail(fmt::format("{} is not a namespace after creation", path));
    }

    auto sock = socket(Side::Router);
    if (!sock.ok())
        return fail(std::move(sock).error());
    auto lo = get_link(sock->get(), "lo");
    if (!lo.ok())
        return fail(std::move(lo).error());
    if ((rtnl_link_get_flags(lo->get()) & IFF_UP) != 0)
        return {};
    LinkPtr change(rtnl_link_alloc());
    rtnl_link_set_flags(change.get(), IFF_UP);
    int err = rtnl_link_change(sock->get(), lo->get(), change.get(), 0);
    if (err < 0)
        return fail(nl_error(err, "set lo up in router"));
    return {};
}

Status Namespaces::delete_router() {
    router_fd_.reset();
    std::string path = router_path();
    if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        return fail(errno_error(errno, fmt::format("unmount {}", path)));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail(errno_error(errno, fmt::format("remove {}", path)));
    return {};
}

Result<bool> probe_vrf_support() {
    // The socket is connected inside a fresh namespace and stays bound to it after the thread
    // returns; the namespace (and the probe VRF) vanish when the socket is closed.
    auto saved = open_ns(kThreadNetns);
    if (!saved.ok())
        return fail(std::move(saved).error());
    if (unshare(CLONE_NEWNET) != 0)
        return fail(errno_error(errno, "create scratch namespace"));
    auto sock = connect_here();
    if (setns(saved->get(), CLONE_NEWNET) != 0) {
        std::perror("perouter: cannot return to the original network namespace");
        std::abort();
    }
    if (!sock.ok())
        return fail(std::move(sock).error());

    LinkPtr vrf(rtnl_link_vrf_alloc());
    rtnl_link_set_name(vrf.get(), "vrf-probe");
    rtnl_link_vrf_set_tableid(vrf.get(), 4242);
    int err = rtnl_link_add(sock->get(), vrf.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) {
        int code = nl_errno(err);
        if (code == EOPNOTSUPP)
            return false;
        return fail(nl_error(err, "create probe vrf"));
    }
    err = rtnl_link_delete(sock->get(), vrf.get());
    if (err < 0)
        return fail(nl_error(err, "delete probe vrf"));
    return true;
}

}  // namespace perouter::netlink
