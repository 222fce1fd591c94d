// A link's kind as the kernel reports it (IFLA_INFO_KIND), beside LinkKind, the kinds we create.
// The kernel's string becomes a KernelKind at the netlink edge (from_kernel, netlink/observe.cpp)
// and a string again only in messages (to_string, kernel_name).
#pragma once

#include <string_view>

#include "plan/desired.hpp"

namespace perouter::plan {

/// Every LinkKind, plus None (no IFLA_INFO_KIND: NICs, lo) and Other (a kind we never create,
/// e.g. "dummy", "tun", "openvswitch"; its string is kept beside it where a message needs it).
enum class KernelKind { None, Bridge, Vxlan, Veth, Vrf, Macvlan, Other };

constexpr KernelKind kernel_kind(LinkKind k) {
    switch (k) {
        case LinkKind::Bridge:
            return KernelKind::Bridge;
        case LinkKind::Vxlan:
            return KernelKind::Vxlan;
        case LinkKind::Veth:
            return KernelKind::Veth;
        case LinkKind::Vrf:
            return KernelKind::Vrf;
        case LinkKind::Macvlan:
            return KernelKind::Macvlan;
    }
    return KernelKind::Other;
}

/// The one comparison between what the kernel reports and what the plan wants.
constexpr bool is_kind(KernelKind observed, LinkKind desired) {
    return observed == kernel_kind(desired);
}

/// IFLA_INFO_KIND ("" when the link has none) as a KernelKind.
constexpr KernelKind from_kernel(std::string_view info_kind) {
    if (info_kind.empty())
        return KernelKind::None;
    for (LinkKind k :
         {LinkKind::Bridge, LinkKind::Vxlan, LinkKind::Veth, LinkKind::Vrf, LinkKind::Macvlan})
        if (info_kind == to_string(k))
            return kernel_kind(k);
    return KernelKind::Other;
}

/// For messages: IFLA_INFO_KIND for the kinds we create, "none" and "other" for the rest.
constexpr std::string_view to_string(KernelKind k) {
    switch (k) {
        case KernelKind::None:
            return "none";
        case KernelKind::Bridge:
            return to_string(LinkKind::Bridge);
        case KernelKind::Vxlan:
            return to_string(LinkKind::Vxlan);
        case KernelKind::Veth:
            return to_string(LinkKind::Veth);
        case KernelKind::Vrf:
            return to_string(LinkKind::Vrf);
        case KernelKind::Macvlan:
            return to_string(LinkKind::Macvlan);
        case KernelKind::Other:
            return "other";
    }
    return "other";
}

/// For messages: what the kernel calls the kind; `other_kind` (the IFLA_INFO_KIND kept beside
/// an Other) for Other.
constexpr std::string_view kernel_name(KernelKind k, std::string_view other_kind) {
    return k == KernelKind::Other ? other_kind : to_string(k);
}

}  // namespace perouter::plan
