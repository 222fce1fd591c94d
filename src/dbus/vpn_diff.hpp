// What changed between two views of the daemon, in D-Bus terms: which VPN objects appear or
// disappear (InterfacesAdded/Removed) and which properties changed (PropertiesChanged carries only
// those). Pure, so the signal decisions are unit-tested without a bus.
#pragma once

#include <string>
#include <vector>

#include "dbus/controller.hpp"

namespace perouter::dbus {

struct VpnPropertyChange {
    std::string name;                     // the VPN
    std::vector<std::string> properties;  // D-Bus property names, in interface order
    friend bool operator==(const VpnPropertyChange&, const VpnPropertyChange&) = default;
};

struct VpnDiff {
    std::vector<std::string> added;          // sorted by name
    std::vector<std::string> removed;        // sorted by name
    std::vector<VpnPropertyChange> changed;  // sorted by name; VPNs present before and after
    bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
    friend bool operator==(const VpnDiff&, const VpnDiff&) = default;
};

/// VPNs are identified by name (their object path); if a list names one VPN twice, the last
/// entry counts, as in the configuration merge.
VpnDiff diff_vpns(const std::vector<dbus::VpnInfo>& before,
                  const std::vector<dbus::VpnInfo>& after);

/// The Vpn interface properties whose values differ (Name never does: it is the identity).
std::vector<std::string> changed_vpn_properties(const dbus::VpnInfo& before,
                                                const dbus::VpnInfo& after);

/// The Manager interface properties whose values differ, in interface order.
std::vector<std::string> changed_manager_properties(const dbus::ManagerStatus& before,
                                                    const dbus::ManagerStatus& after);

}  // namespace perouter::dbus
