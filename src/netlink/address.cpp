// Addresses. IPv6 link-local addresses belong to the kernel and are never reported or touched.
#include <fmt/format.h>
#include <linux/if_addr.h>
#include <netlink/route/addr.h>
#include <sys/socket.h>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

Result<int> ifindex_of(nl_sock* sock, const std::string& name) {
    auto link = get_link(sock, name);
    if (!link.ok())
        return fail(std::move(link).error());
    return rtnl_link_get_ifindex(link->get());
}

}  // namespace

Result<std::vector<KernelAddress>> dump_addresses(nl_sock* sock) {
    nl_cache* raw = nullptr;
    int err = rtnl_addr_alloc_cache(sock, &raw);
    if (err < 0)
        return fail(nl_error(err, "dump addresses"));
    CachePtr cache(raw);
    std::vector<KernelAddress> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
        auto* addr = reinterpret_cast<rtnl_addr*>(o);
        auto ip = to_ip(rtnl_addr_get_local(addr));
        if (!ip || (ip->is_v6() && ip->is_link_local()))
            continue;
        KernelAddress k;
        k.ifindex = rtnl_addr_get_ifindex(addr);
        k.prefix = IpPrefix(*ip, rtnl_addr_get_prefixlen(addr));
        k.broadcast = to_ip(rtnl_addr_get_broadcast(addr));
        out.push_back(k);
    }
    return out;
}

Status add_address(nl_sock* sock, int ifindex, const IpPrefix& prefix, const AddressOptions& opt) {
    AddrPtr addr(rtnl_addr_alloc());
    NlAddrPtr local = to_nl_addr(prefix);
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_family(addr.get(), prefix.is_v4() ? AF_INET : AF_INET6);
    int err = rtnl_addr_set_local(addr.get(), local.get());
    if (err < 0)
        return fail(nl_error(err, ""));
    rtnl_addr_set_prefixlen(addr.get(), prefix.length());
    if (opt.nodad && !prefix.is_v4())
        rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
    if (opt.broadcast) {
        NlAddrPtr brd = to_nl_addr(*opt.broadcast);
        rtnl_addr_set_broadcast(addr.get(), brd.get());
    }
    err = rtnl_addr_add(sock, addr.get(), NLM_F_EXCL);
    // The same address with the same length on the same link: already done.
    if (err < 0 && nl_errno(err) != EEXIST)
        return fail(nl_error(err, ""));
    return {};
}

Status add_address(const Namespaces& ns, const reconcile::AddAddress& a) {
    std::string subject = fmt::format("add address {} to '{}'", a.prefix.str(), a.link);
    auto sock = ns.socket(a.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto ifindex = ifindex_of(sock->get(), a.link);
    if (!ifindex.ok())
        return fail(std::move(ifindex).error().context(subject));
    // DAD on a point-to-point veth or a VTEP only delays the BGP session that needs it.
    auto r = add_address(sock->get(), *ifindex, a.prefix,
                         AddressOptions{.nodad = true, .broadcast = std::nullopt});
    if (!r.ok())
        return fail(std::move(r).error().context(subject));
    return {};
}

Status delete_address(const Namespaces& ns, const reconcile::DeleteAddress& a) {
    std::string subject = fmt::format("delete address {} from '{}'", a.prefix.str(), a.link);
    auto sock = ns.socket(a.side);
    if (!sock.ok())
        return fail(std::move(sock).error().context(subject));
    auto ifindex = ifindex_of(sock->get(), a.link);
    if (!ifindex.ok()) {
        if (ifindex.error().code == ENODEV || ifindex.error().code == ENOENT)
            return {};
        return fail(std::move(ifindex).error().context(subject));
    }
    AddrPtr addr(rtnl_addr_alloc());
    NlAddrPtr local = to_nl_addr(a.prefix);
    rtnl_addr_set_ifindex(addr.get(), *ifindex);
    rtnl_addr_set_family(addr.get(), a.prefix.is_v4() ? AF_INET : AF_INET6);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_prefixlen(addr.get(), a.prefix.length());
    int err = rtnl_addr_delete(sock->get(), addr.get(), 0);
    int code = nl_errno(err);
    if (err < 0 && code != EADDRNOTAVAIL && code != ENOENT && code != ENODEV)
        return fail(nl_error(err, subject));
    return {};
}

}  // namespace perouter::netlink::ops
