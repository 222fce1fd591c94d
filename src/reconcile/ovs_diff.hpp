// The pure comparison of the desired OVS ports (DesiredState::ovs_ports) with what OVSDB holds,
// and the small steps that make them match. No I/O; ovs/executor.hpp runs the steps.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "plan/desired.hpp"
#include "reconcile/ovs_observed.hpp"

namespace perouter::reconcile {

/// Creates a managed bridge, marked created-by=perouter, with its datapath type.
struct OvsCreateBridge {
    std::string bridge;
    plan::OvsDatapath datapath = plan::OvsDatapath::System;
};

/// Changes the datapath type of one of our bridges (perouterd --ovs-datapath changed).
struct OvsSetDatapath {
    std::string bridge;
    plan::OvsDatapath datapath = plan::OvsDatapath::System;
};

/// Deletes one of our bridges, with every port on it.
struct OvsDeleteBridge {
    std::string bridge;
};

/// Adds the port (one interface of the same name, the veth), marked created-by=perouter.
struct OvsAddPort {
    std::string bridge;
    std::string port;
};

/// Removes one of our ports from a bridge (ours or not); the bridge stays.
struct OvsDeletePort {
    std::string bridge;
    std::string port;
    std::string reason;  ///< "not desired", "moves to br-x"
};

using OvsOperation =
    std::variant<OvsCreateBridge, OvsSetDatapath, OvsDeleteBridge, OvsAddPort, OvsDeletePort>;

struct OvsAction {
    std::string owner;  ///< VPN name, or "" for leftovers
    OvsOperation op;
};

struct OvsDiffResult {
    std::vector<OvsAction> actions;     ///< in execution order: removals first
    std::vector<std::string> problems;  ///< reported by the daemon; they do not stop a reconcile

    bool empty() const { return actions.empty(); }
};

/// Actions that make `observed` hold the `desired` ports (and their managed bridges), touching
/// only what we own (ovs_observed.hpp). Empty `desired` yields the full cleanup.
OvsDiffResult diff_ovs(const std::vector<plan::OvsPortSpec>& desired, const OvsObserved& observed);

/// One readable line, e.g. "ovs: add port host-e-110 to bridge br-hs-110".
std::string describe(const OvsAction& action);

}  // namespace perouter::reconcile
