#include "dbus/vpn_diff.hpp"

#include <map>

namespace perouter::dbus {
namespace {

std::map<std::string, const dbus::VpnInfo*> by_name(const std::vector<dbus::VpnInfo>& vpns) {
    std::map<std::string, const dbus::VpnInfo*> m;
    for (const auto& v : vpns)
        m[v.name] = &v;
    return m;
}

}  // namespace

std::vector<std::string> changed_vpn_properties(const dbus::VpnInfo& before,
                                                const dbus::VpnInfo& after) {
    std::vector<std::string> out;
    if (before.kind != after.kind)
        out.emplace_back("Kind");
    if (before.vni != after.vni)
        out.emplace_back("Vni");
    if (before.vrf != after.vrf)
        out.emplace_back("Vrf");
    if (before.state != after.state)
        out.emplace_back("State");
    if (before.source != after.source)
        out.emplace_back("Source");
    if (before.error != after.error)
        out.emplace_back("Error");
    if (before.ipv4_sid != after.ipv4_sid)
        out.emplace_back("Ipv4Sid");
    if (before.ipv6_sid != after.ipv6_sid)
        out.emplace_back("Ipv6Sid");
    return out;
}

VpnDiff diff_vpns(const std::vector<dbus::VpnInfo>& before,
                  const std::vector<dbus::VpnInfo>& after) {
    auto old_map = by_name(before);
    auto new_map = by_name(after);
    VpnDiff d;
    for (const auto& [name, info] : old_map) {
        auto it = new_map.find(name);
        if (it == new_map.end()) {
            d.removed.push_back(name);
            continue;
        }
        auto props = changed_vpn_properties(*info, *it->second);
        if (!props.empty())
            d.changed.push_back({name, std::move(props)});
    }
    for (const auto& [name, info] : new_map)
        if (!old_map.contains(name))
            d.added.push_back(name);
    return d;
}

std::vector<std::string> changed_manager_properties(const dbus::ManagerStatus& before,
                                                    const dbus::ManagerStatus& after) {
    std::vector<std::string> out;
    if (before.state != after.state)
        out.emplace_back("State");
    if (before.underlay_state != after.underlay_state)
        out.emplace_back("UnderlayState");
    if (before.last_error != after.last_error)
        out.emplace_back("LastError");
    if (before.version != after.version)
        out.emplace_back("Version");
    if (before.config_error != after.config_error)
        out.emplace_back("ConfigError");
    if (before.apply_error != after.apply_error)
        out.emplace_back("ApplyError");
    if (before.failed_files != after.failed_files)
        out.emplace_back("FailedFiles");
    return out;
}

}  // namespace perouter::dbus
