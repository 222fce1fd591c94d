#include "plan/addressing.hpp"

#include <fmt/format.h>

namespace perouter::plan {

uint32_t vxlan_overhead(Family vtep_family) {
    return vtep_family == Family::V4 ? 50 : 70;
}

std::optional<uint32_t> vni_mtu(uint32_t underlay_mtu, Family vtep_family) {
    uint32_t overhead = vxlan_overhead(vtep_family);
    if (underlay_mtu <= overhead + 1280)
        return std::nullopt;
    return underlay_mtu - overhead;
}

MacAddress anycast_gateway_mac(uint32_t vni) {
    uint32_t v = vni + 1;
    return MacAddress{{0x00, 0xf3, static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                       static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}};
}

VrfTableAllocator::VrfTableAllocator(const std::map<std::string, uint32_t>& existing)
    : assigned_(existing) {
    for (const auto& [name, table] : existing)
        used_.insert(table);
}

uint32_t VrfTableAllocator::table_for(const std::string& vrf) {
    if (auto it = assigned_.find(vrf); it != assigned_.end())
        return it->second;
    uint32_t t = 1;
    while (used_.count(t) != 0 || (t >= 253 && t <= 255))
        ++t;
    used_.insert(t);
    assigned_[vrf] = t;
    return t;
}

}  // namespace perouter::plan
