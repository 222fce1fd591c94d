#include "config/names.hpp"

#include <fmt/format.h>

namespace perouter::config {

// The longest derived name is "host-e-16777215"; it must still fit IFNAMSIZ.
static_assert(std::string_view("host-e-").size() + std::string_view("16777215").size() <=
              kMaxInterfaceName);

std::string bridge_name(uint32_t vni) {
    return fmt::format("{}{}", kRouterBridgePrefix, vni);
}
std::string vxlan_name(uint32_t vni) {
    return fmt::format("{}{}", kVxlanPrefix, vni);
}
std::string host_veth_name(uint32_t vni) {
    return fmt::format("{}{}", kHostVethPrefix, vni);
}
std::string router_veth_name(uint32_t vni) {
    return fmt::format("{}{}", kRouterVethPrefix, vni);
}
std::string host_bridge_name(uint32_t vni) {
    return fmt::format("{}{}", kHostBridgePrefix, vni);
}
std::string l3vpn_host_veth_name(uint32_t n) {
    return fmt::format("{}{}", kL3VpnHostVethPrefix, n);
}
std::string l3vpn_router_veth_name(uint32_t n) {
    return fmt::format("{}{}", kL3VpnRouterVethPrefix, n);
}

bool has_numbered_name(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix) || name.size() == prefix.size())
        return false;
    return name.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos;
}

bool is_router_link_name(std::string_view name) {
    return has_numbered_name(name, kRouterBridgePrefix) || has_numbered_name(name, kVxlanPrefix) ||
           has_numbered_name(name, kRouterVethPrefix) ||
           has_numbered_name(name, kL3VpnRouterVethPrefix) || name == kPassthroughRouterVeth;
}

bool is_host_link_name(std::string_view name) {
    return has_numbered_name(name, kHostVethPrefix) || has_numbered_name(name, kHostBridgePrefix) ||
           has_numbered_name(name, kL3VpnHostVethPrefix) || name == kPassthroughHostVeth;
}

std::optional<std::string> interface_name_problem(std::string_view name) {
    if (name.empty())
        return "must not be empty";
    if (name.size() > kMaxInterfaceName)
        return fmt::format("longer than {} characters", kMaxInterfaceName);
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!letter(name[0]))
        return "must start with a letter";
    for (char c : name) {
        if (!letter(c) && !digit(c) && c != '.' && c != '_' && c != '-')
            return "may only contain letters, digits, '.', '_' and '-'";
    }
    return std::nullopt;
}

std::optional<std::string> reserved_name_problem(std::string_view name) {
    if (name == "lo")
        return "is the loopback device";
    // Whole prefixes, whatever follows: a name close to ours would confuse operators. "pt-" is
    // the common prefix of the passthrough's two veths.
    for (std::string_view prefix :
         {kRouterBridgePrefix, kHostBridgePrefix, kHostVethPrefix, kRouterVethPrefix,
          kL3VpnHostVethPrefix, kL3VpnRouterVethPrefix, std::string_view("pt-")}) {
        if (name.starts_with(prefix))
            return fmt::format("names starting with '{}' are reserved for perouter's links",
                               prefix);
    }
    if (has_numbered_name(name, kVxlanPrefix))
        return "names 'vni<number>' are reserved for perouter's vxlan links";
    return std::nullopt;
}

std::optional<std::string> vrf_name_problem(std::string_view name) {
    if (auto problem = reserved_name_problem(name))
        return problem;
    for (std::string_view reserved : {"default", "main", "local", "unspec"}) {
        if (name == reserved)
            return fmt::format("'{}' is reserved by FRR and the kernel's routing tables", name);
    }
    return std::nullopt;
}

}  // namespace perouter::config
