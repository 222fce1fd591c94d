// The only place that enters network namespaces. perouter works on two: the host side (the
// namespace perouterd runs in, or a named one in tests and the lab) and the router side
// (/run/netns/<name>). setns() changes only the calling thread, so every entry is paired with
// a return, and netlink sockets are created inside the namespace they must talk to (a socket
// stays bound to the namespace it was created in).
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "netlink/nl.hpp"
#include "plan/desired.hpp"

namespace perouter::netlink {

using plan::Side;

using perouter::Fd;

/// While alive, the calling thread is in another network namespace; the destructor returns it
/// to the namespace it was in before.
class NetnsGuard {
  public:
    /// Enters the namespace `target_fd` refers to.
    static Result<NetnsGuard> enter(int target_fd);
    NetnsGuard(NetnsGuard&&) noexcept = default;
    NetnsGuard& operator=(NetnsGuard&&) = delete;
    NetnsGuard(const NetnsGuard&) = delete;
    ~NetnsGuard();

  private:
    explicit NetnsGuard(Fd saved) : saved_(std::move(saved)) {}
    Fd saved_;
};

class Namespaces {
  public:
    /// `router` names the router namespace under /run/netns; `host` names the host side under
    /// /run/netns, or "" for the namespace the calling thread is in now.
    static Result<Namespaces> open(std::string router, std::string host = "");

    const std::string& router_name() const { return router_name_; }
    std::string router_path() const;

    /// What `ip netns add` does, idempotently: /run/netns as a shared mount, the file, a new
    /// namespace bind-mounted onto it; then `lo` up.
    Status create_router();
    /// What `ip netns delete` does (lazy unmount, unlink); succeeds when it is already gone.
    Status delete_router();
    /// Re-reads /run/netns/<router>: someone may have deleted or replaced it behind our back.
    void refresh_router();
    /// Whether /run/netns/<router> is a namespace now (re-reads it, see refresh_router()).
    bool router_exists() {
        refresh_router();
        return router_fd_.valid();
    }

    /// The namespace file descriptor of a side, or -1 when the router namespace is missing.
    int fd(Side side) const { return side == Side::Host ? host_fd_.get() : router_fd_.get(); }

    /// Enters `side` for the lifetime of the returned guard.
    Result<NetnsGuard> enter(Side side) const;

    /// Runs `f` inside `side`, returns to where the thread was, and passes on `f`'s Result.
    template <class F>
    auto run_in(Side side, F&& f) const -> std::invoke_result_t<F&> {
        auto guard = enter(side);
        if (!guard.ok())
            return fail(std::move(guard).error());
        return f();
    }

    /// A connected NETLINK_ROUTE socket bound to `side`.
    Result<SocketPtr> socket(Side side) const;

  private:
    Namespaces(std::string router, Fd host)
        : router_name_(std::move(router)), host_fd_(std::move(host)) {}

    std::string router_name_;
    Fd host_fd_;
    Fd router_fd_;
};

/// Whether the running kernel can create VRF devices: creates and deletes a throwaway VRF in a
/// scratch namespace that disappears with the probe.
Result<bool> probe_vrf_support();

}  // namespace perouter::netlink
