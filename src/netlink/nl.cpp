#include "netlink/nl.hpp"

#include <fmt/format.h>
#include <netlink/errno.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace perouter::netlink {

int nl_errno(int nlerr) {
    switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_EXIST:
            return EEXIST;
        case NLE_NOADDR:
            return EADDRNOTAVAIL;
        case NLE_OBJ_NOTFOUND:
            return ENOENT;
        case NLE_INTR:
            return EINTR;
        case NLE_AGAIN:
            return EAGAIN;
        case NLE_NOACCESS:
            return EACCES;
        case NLE_INVAL:
            return EINVAL;
        case NLE_NOMEM:
            return ENOMEM;
        case NLE_AF_NOSUPPORT:
            return EAFNOSUPPORT;
        case NLE_OPNOTSUPP:
            return EOPNOTSUPP;
        case NLE_PERM:
            return EPERM;
        case NLE_BUSY:
            return EBUSY;
        case NLE_RANGE:
            return ERANGE;
        case NLE_NODEV:
            return ENODEV;
        case NLE_BAD_SOCK:
            return EBADF;
        default:
            return 0;
    }
}

Error nl_error(int nlerr, std::string_view what) {
    int code = nl_errno(nlerr);
    std::string text = code != 0 ? std::strerror(code) : nl_geterror(nlerr);
    if (what.empty())
        return Error{std::move(text), code};
    return Error{fmt::format("{}: {}", what, text), code};
}

void enlarge_event_buffer(nl_sock* sock) {
    constexpr int kBytes = 8 << 20;
    const int fd = nl_socket_get_fd(sock);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kBytes, sizeof kBytes) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kBytes, sizeof kBytes);
}

NlAddrPtr to_nl_addr(const IpAddress& a) {
    return NlAddrPtr(nl_addr_build(a.is_v4() ? AF_INET : AF_INET6, a.data(), a.size()));
}

NlAddrPtr to_nl_addr(const IpPrefix& p) {
    NlAddrPtr a = to_nl_addr(p.address());
    if (a)
        nl_addr_set_prefixlen(a.get(), p.length());
    return a;
}

NlAddrPtr to_nl_addr(const MacAddress& m) {
    return NlAddrPtr(nl_addr_build(AF_LLC, m.bytes.data(), m.bytes.size()));
}

std::optional<IpAddress> to_ip(const nl_addr* a) {
    if (a == nullptr)
        return std::nullopt;
    auto* bytes = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
    unsigned len = nl_addr_get_len(a);
    if (nl_addr_get_family(a) == AF_INET && len == 4)
        return IpAddress::from_bytes(Family::V4, bytes);
    if (nl_addr_get_family(a) == AF_INET6 && len == 16)
        return IpAddress::from_bytes(Family::V6, bytes);
    return std::nullopt;
}

std::optional<MacAddress> to_mac(const nl_addr* a) {
    if (a == nullptr || nl_addr_get_len(a) != 6)
        return std::nullopt;
    MacAddress m;
    std::memcpy(m.bytes.data(), nl_addr_get_binary_addr(a), 6);
    return m;
}

Result<LinkPtr> get_link(nl_sock* sock, const std::string& name) {
    rtnl_link* link = nullptr;
    int err = rtnl_link_get_kernel(sock, 0, name.c_str(), &link);
    if (err < 0)
        return fail(nl_error(err, fmt::format("look up link '{}'", name)));
    return LinkPtr(link);
}

namespace {

using CbPtr = std::unique_ptr<nl_cb, Deleter<nl_cb_put>>;

int call_each(nl_msg* msg, void* arg) {
    (*static_cast<const std::function<void(nl_msg*)>*>(arg))(msg);
    return NL_OK;
}

}  // namespace

int send_and_receive(nl_sock* sock, nl_msg* msg, const std::function<void(nl_msg*)>& each) {
    CbPtr base(nl_socket_get_cb(sock));
    CbPtr cb(nl_cb_clone(base.get()));
    if (!cb)
        return -NLE_NOMEM;
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, call_each,
              const_cast<std::function<void(nl_msg*)>*>(&each));
    if (int r = nl_send_auto(sock, msg); r < 0)
        return r;
    return nl_recvmsgs(sock, cb.get());
}

}  // namespace perouter::netlink
