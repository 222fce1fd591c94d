#include "daemon/echo_probe.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace perouter::daemon {

namespace {

sockaddr_storage to_sockaddr(const IpAddress& a, socklen_t& len) {
    sockaddr_storage ss{};
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, a.data(), 4);
        len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, a.data(), 16);
        len = sizeof(sockaddr_in6);
    }
    return ss;
}

uint16_t checksum(const uint8_t* p, size_t len) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (len % 2 != 0)
        sum += static_cast<uint32_t>(p[len - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons(static_cast<uint16_t>(~sum));
}

}  // namespace

Result<EchoProbe> EchoProbe::open(const IpAddress& target) {
    int family = target.is_v4() ? AF_INET : AF_INET6;
    int proto = target.is_v4() ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6);
    bool raw = false;
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        raw = true;
        fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    }
    if (fd < 0)
        return fail(errno_error(errno, fmt::format("icmp socket for probe {}", target.str())));
    auto id = static_cast<uint16_t>(getpid() & 0xffff);
    return EchoProbe(netlink::Fd(fd), target, raw, id);
}

Status EchoProbe::send() {
    ++seq_;
    uint8_t pkt[16] = {};
    pkt[0] = target_.is_v4() ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
    uint16_t id = htons(id_), seq = htons(seq_);
    std::memcpy(pkt + 4, &id, 2);
    std::memcpy(pkt + 6, &seq, 2);
    std::memcpy(pkt + 8, "perouter", 8);
    if (target_.is_v4()) {  // the kernel computes ICMPv6 checksums itself
        uint16_t sum = checksum(pkt, sizeof(pkt));
        std::memcpy(pkt + 2, &sum, 2);
    }
    socklen_t len = 0;
    sockaddr_storage to = to_sockaddr(target_, len);
    if (sendto(fd_.get(), pkt, sizeof(pkt), 0, reinterpret_cast<sockaddr*>(&to), len) < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return {};
        return fail(errno_error(errno, fmt::format("echo request to {}", target_.str())));
    }
    return {};
}

bool EchoProbe::matches(const uint8_t* icmp, size_t len) const {
    if (len < 8)
        return false;
    uint8_t reply = target_.is_v4() ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
    uint16_t id = 0, seq = 0;
    std::memcpy(&id, icmp + 4, 2);
    std::memcpy(&seq, icmp + 6, 2);
    return icmp[0] == reply && ntohs(seq) == seq_ && (!raw_ || ntohs(id) == id_);
}

Result<bool> EchoProbe::receive() {
    bool answered = false;
    for (;;) {
        uint8_t buf[1500];
        sockaddr_storage from{};
        socklen_t flen = sizeof(from);
        ssize_t n =
            recvfrom(fd_.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return answered;
            if (errno == EINTR)
                continue;
            // Errors queued by ICMP errors (unreachable) mean no answer, not a broken probe.
            if (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == ECONNREFUSED)
                continue;
            return fail(errno_error(errno, fmt::format("echo reply from {}", target_.str())));
        }
        const uint8_t* icmp = buf;
        auto len = static_cast<size_t>(n);
        if (raw_ && target_.is_v4()) {  // raw IPv4 sockets return the IP header too
            if (len < sizeof(iphdr))
                continue;
            size_t ihl = static_cast<size_t>(buf[0] & 0x0f) * 4;
            if (len < ihl)
                continue;
            icmp += ihl;
            len -= ihl;
        }
        socklen_t tlen = 0;
        sockaddr_storage want = to_sockaddr(target_, tlen);
        bool from_target =
            target_.is_v4()
                ? reinterpret_cast<sockaddr_in*>(&from)->sin_addr.s_addr ==
                      reinterpret_cast<sockaddr_in*>(&want)->sin_addr.s_addr
                : std::memcmp(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr,
                              &reinterpret_cast<sockaddr_in6*>(&want)->sin6_addr, 16) == 0;
        if (from_target && matches(icmp, len))
            answered = true;
    }
}

}  // namespace perouter::daemon
