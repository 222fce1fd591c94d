// One ICMP echo target for the online check ([online] probe): a non-blocking socket whose fd
// the sd-event loop watches. send() one request per poll, receive() when the fd is readable.
// The socket is bound to the namespace of the thread that opens it; open it in the host side
// with netlink::Namespaces::run_in().
#pragma once

#include <cstdint>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "netlink/namespaces.hpp"

namespace perouter::daemon {

class EchoProbe {
  public:
    /// An unprivileged ICMP datagram socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6) when
    /// net.ipv4.ping_group_range allows it, else a raw one; non-blocking, close-on-exec.
    static Result<EchoProbe> open(const IpAddress& target);

    int fd() const { return fd_.get(); }
    const IpAddress& target() const { return target_; }

    /// Sends the next echo request (a new sequence number). EAGAIN is not an error: the
    /// request is simply not sent this time.
    Status send();
    /// Reads every datagram queued on the socket. True when one of them is the echo reply to
    /// the last request sent; false when none was (yet).
    Result<bool> receive();

  private:
    EchoProbe(netlink::Fd fd, IpAddress target, bool raw, uint16_t id)
        : fd_(std::move(fd)), target_(target), raw_(raw), id_(id) {}
    bool matches(const uint8_t* icmp, size_t len) const;

    netlink::Fd fd_;
    IpAddress target_;
    bool raw_ = false;  // raw sockets see every ICMP packet; datagram ones only our replies
    uint16_t id_ = 0;   // raw sockets only: the kernel sets the id of datagram sockets
    uint16_t seq_ = 0;
};

}  // namespace perouter::daemon
