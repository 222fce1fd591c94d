// Small RAII wrappers and conversions around libnl, shared by the observer and the executor.
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip.hpp"
#include "common/result.hpp"

namespace perouter::netlink {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};

using SocketPtr = std::unique_ptr<nl_sock, Deleter<nl_socket_free>>;
using CachePtr = std::unique_ptr<nl_cache, Deleter<nl_cache_free>>;
using LinkPtr = std::unique_ptr<rtnl_link, Deleter<rtnl_link_put>>;
using AddrPtr = std::unique_ptr<rtnl_addr, Deleter<rtnl_addr_put>>;
using RoutePtr = std::unique_ptr<rtnl_route, Deleter<rtnl_route_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, Deleter<nl_addr_put>>;
using MsgPtr = std::unique_ptr<nl_msg, Deleter<nlmsg_free>>;

/// The errno behind a (negative) libnl error code, or 0 when there is none.
int nl_errno(int nlerr);
/// An Error for a failed libnl call: "<what>: <strerror or libnl text>" (no prefix when `what`
/// is empty).
Error nl_error(int nlerr, std::string_view what);

NlAddrPtr to_nl_addr(const IpAddress& a);
NlAddrPtr to_nl_addr(const IpPrefix& p);
NlAddrPtr to_nl_addr(const MacAddress& m);
/// nullopt for anything but an IPv4/IPv6 address.
std::optional<IpAddress> to_ip(const nl_addr* a);
/// nullopt unless a is a 6-byte link-layer address.
std::optional<MacAddress> to_mac(const nl_addr* a);

/// Gives a socket subscribed to events an 8 MiB receive buffer (libnl's default is 32 KiB).
/// A reconcile of many VNIs makes thousands of link and neighbour events, and the kernel reports
/// carrier and operstate changes late and in bursts (its linkwatch work): 32 KiB holds ~20 of
/// them, and an overflow is read as "anything may have changed" (everything is looked at;
/// integration.lab.incremental failed on it). Past net.core.rmem_max with CAP_NET_ADMIN
/// (SO_RCVBUFFORCE), else as much as it allows; memory is charged only while events wait.
void enlarge_event_buffer(nl_sock* sock);

/// Sends `msg` on `sock` and hands every message of the answer to `each`: all parts of a dump,
/// or the one reply of a request. The socket's own callbacks are kept (a clone of them gets
/// `each`). Returns libnl's code, negative on failure (the caller names what failed).
int send_and_receive(nl_sock* sock, nl_msg* msg, const std::function<void(nl_msg*)>& each);

/// The current kernel state of link `name` (RTM_GETLINK), or an error naming it.
Result<LinkPtr> get_link(nl_sock* sock, const std::string& name);

}  // namespace perouter::netlink
