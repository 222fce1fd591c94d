#include "netlink/route_dump.hpp"

#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_iptunnel.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <cstring>

#include "netlink/nl.hpp"

namespace perouter::netlink {
namespace {

using Bytes = std::vector<uint8_t>;

/// The SID an SRv6 encapsulation (RTA_ENCAP of type LWTUNNEL_ENCAP_SEG6) sends to: the first
/// segment of its SRH, which the kernel stores last (segments[first_segment]).
std::optional<IpAddress> srv6_sid(const nlattr* encap) {
    const auto* a = static_cast<const nlattr*>(nla_data(encap));
    int rem = nla_len(encap);
    for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
        if (nla_type(a) != SEG6_IPTUNNEL_SRH)
            continue;
        const size_t len = static_cast<size_t>(nla_len(a));
        if (len < sizeof(seg6_iptunnel_encap) + sizeof(ipv6_sr_hdr))
            return std::nullopt;
        const auto* tun = static_cast<const seg6_iptunnel_encap*>(nla_data(a));
        const ipv6_sr_hdr* srh = tun->srh;
        const size_t at = sizeof(seg6_iptunnel_encap) + sizeof(ipv6_sr_hdr) +
                          16 * static_cast<size_t>(srh->first_segment);
        if (len < at + 16)
            return std::nullopt;
        return IpAddress::from_bytes(Family::V6, static_cast<const uint8_t*>(nla_data(a)) + at);
    }
    return std::nullopt;
}

void append(Bytes& out, const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
    out.resize(out.size() + (NLA_ALIGN(n) - n), 0);
}

/// The attributes in [attrs, attrs + len) without RTA_ENCAP and RTA_ENCAP_TYPE, appended to
/// `out`; the encapsulation's SRv6 SID (if any) goes to `sid`.
void copy_without_encap(const nlattr* attrs, int len, Bytes& out, std::optional<IpAddress>& sid,
                        bool& foreign, std::vector<std::optional<IpAddress>>& multipath_sids);

/// RTA_MULTIPATH rebuilt with each next hop's encapsulation left out.
void copy_multipath(const nlattr* mp, Bytes& out, bool& foreign,
                    std::vector<std::optional<IpAddress>>& sids) {
    Bytes body;
    const auto* nh = static_cast<const rtnexthop*>(nla_data(mp));
    int rem = nla_len(mp);
    while (rem >= static_cast<int>(sizeof(rtnexthop)) && nh->rtnh_len >= sizeof(rtnexthop) &&
           static_cast<int>(nh->rtnh_len) <= rem) {
        Bytes one;
        rtnexthop head = *nh;
        append(one, &head, sizeof(head));
        std::optional<IpAddress> sid;
        std::vector<std::optional<IpAddress>> unused;
        copy_without_encap(reinterpret_cast<const nlattr*>(RTNH_DATA(nh)),
                           static_cast<int>(nh->rtnh_len) - static_cast<int>(RTNH_LENGTH(0)), one,
                           sid, foreign, unused);
        reinterpret_cast<rtnexthop*>(one.data())->rtnh_len =
            static_cast<unsigned short>(one.size());
        body.insert(body.end(), one.begin(), one.end());
        sids.push_back(sid);
        const int step = static_cast<int>(RTNH_ALIGN(nh->rtnh_len));
        rem -= step;
        nh = reinterpret_cast<const rtnexthop*>(reinterpret_cast<const uint8_t*>(nh) + step);
    }
    nlattr head{};
    head.nla_type = RTA_MULTIPATH;
    head.nla_len = static_cast<uint16_t>(NLA_HDRLEN + body.size());
    append(out, &head, NLA_HDRLEN);
    append(out, body.data(), body.size());
}

void copy_without_encap(const nlattr* attrs, int len, Bytes& out, std::optional<IpAddress>& sid,
                        bool& foreign, std::vector<std::optional<IpAddress>>& multipath_sids) {
    std::optional<uint16_t> type;
    const nlattr* encap = nullptr;
    const nlattr* a = attrs;
    int rem = len;
    for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
        switch (nla_type(a)) {
            case RTA_ENCAP_TYPE:
                if (nla_len(a) >= 2)
                    type = nla_get_u16(const_cast<nlattr*>(a));
                foreign = true;
                continue;
            case RTA_ENCAP:
                encap = a;
                foreign = true;
                continue;
            case RTA_MULTIPATH:
                copy_multipath(a, out, foreign, multipath_sids);
                continue;
            default:
                append(out, a, a->nla_len);
        }
    }
    if (encap != nullptr && type == LWTUNNEL_ENCAP_SEG6)
        sid = srv6_sid(encap);
}

struct DumpState {
    const std::function<void(rtnl_route*, const RouteEncaps&)>* each;
    int error = 0;
};

int on_route(nl_msg* msg, void* arg) {
    auto* st = static_cast<DumpState*>(arg);
    nlmsghdr* h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWROUTE)
        return NL_SKIP;
    const auto* rt = static_cast<const rtmsg*>(nlmsg_data(h));
    if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6)
        return NL_SKIP;
    rtnl_route* route = nullptr;
    RouteEncaps extras;
    int err = rtnl_route_parse(h, &route);
    if (err == -NLE_MSGTYPE_NOSUPPORT) {
        // An encapsulation libnl does not parse: the same message without it.
        Bytes copy;
        append(copy, h, NLMSG_HDRLEN);
        append(copy, rt, sizeof(rtmsg));
        std::optional<IpAddress> sid;
        std::vector<std::optional<IpAddress>> multipath;
        copy_without_encap(static_cast<const nlattr*>(nlmsg_attrdata(h, sizeof(rtmsg))),
                           nlmsg_attrlen(h, sizeof(rtmsg)), copy, sid, extras.foreign, multipath);
        reinterpret_cast<nlmsghdr*>(copy.data())->nlmsg_len = static_cast<uint32_t>(copy.size());
        extras.srv6_sids = multipath.empty() ? std::vector{sid} : multipath;
        err = rtnl_route_parse(reinterpret_cast<nlmsghdr*>(copy.data()), &route);
    }
    if (err < 0) {
        // Kept reading: the rest of the dump must not stay in the socket for the next request.
        if (st->error == 0)
            st->error = err;
        return NL_SKIP;
    }
    (*st->each)(route, extras);
    rtnl_route_put(route);
    return NL_OK;
}

}  // namespace

Status for_each_route(nl_sock* sock,
                      const std::function<void(rtnl_route*, const RouteEncaps&)>& each) {
    rtmsg request{};
    request.rtm_family = AF_UNSPEC;
    int err = nl_send_simple(sock, RTM_GETROUTE, NLM_F_DUMP, &request, sizeof(request));
    if (err < 0)
        return fail(nl_error(err, "dump routes"));
    nl_cb* base = nl_socket_get_cb(sock);
    nl_cb* cb = nl_cb_clone(base);
    nl_cb_put(base);
    if (cb == nullptr)
        return fail(nl_error(-NLE_NOMEM, "dump routes"));
    DumpState st{&each};
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_route, &st);
    err = nl_recvmsgs(sock, cb);
    nl_cb_put(cb);
    if (err < 0)
        return fail(nl_error(err, "dump routes"));
    if (st.error != 0)
        return fail(nl_error(st.error, "dump routes: parse a route"));
    return {};
}

}  // namespace perouter::netlink
