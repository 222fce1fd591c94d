// What OVSDB reports about Open vSwitch bridges and ports, as plain values. Filled by
// ovs::observe() (ovs-vsctl's JSON tables), compared with DesiredState::ovs_ports by
// reconcile::diff_ovs(). Hand-made in tests.
//
// Ownership: perouter changes or deletes only
//   - bridges named `br-hs-<n>` whose external_ids has created-by=perouter (a managed
//     host_master; it is deleted with the L2VNI, whatever other ports it has),
//   - ports named `host-e-<n>` whose external_ids has created-by=perouter, on any bridge.
// The executor sets the mark in the same OVSDB transaction that creates the row, so an object is
// ours from its first moment. Everything else (an external bridge, other ports, a same-named
// bridge or port without the mark, upstream's created-by=openperouter) is left alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/desired.hpp"

namespace perouter::reconcile {

struct OvsObservedPort {
    std::string name;
    std::string created_by;           ///< external_ids:created-by, "" when unset
    std::vector<std::string> errors;  ///< Interface.error of its interfaces (vswitchd's verdict)
};

struct OvsObservedBridge {
    std::string name;
    /// datapath_type: "" and "system" are OVS's kernel datapath; nullopt for a type perouter
    /// never sets (e.g. "dummy").
    std::optional<plan::OvsDatapath> datapath;
    std::string created_by;  ///< external_ids:created-by, "" when unset
    std::vector<OvsObservedPort> ports;
};

struct OvsObserved {
    std::vector<OvsObservedBridge> bridges;

    const OvsObservedBridge* bridge(std::string_view name) const;
    /// The bridge holding the port `name` (OVSDB keeps port names unique), or nullptr.
    const OvsObservedBridge* bridge_of_port(std::string_view name) const;
};

/// The ownership rules above.
bool is_owned(const OvsObservedBridge& bridge);
bool is_owned(const OvsObservedPort& port);

}  // namespace perouter::reconcile
