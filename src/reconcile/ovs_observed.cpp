#include "reconcile/ovs_observed.hpp"

#include "config/names.hpp"
#include "reconcile/observed.hpp"

namespace perouter::reconcile {

const OvsObservedBridge* OvsObserved::bridge(std::string_view name) const {
    for (const auto& b : bridges)
        if (b.name == name)
            return &b;
    return nullptr;
}

const OvsObservedBridge* OvsObserved::bridge_of_port(std::string_view name) const {
    for (const auto& b : bridges)
        for (const auto& p : b.ports)
            if (p.name == name)
                return &b;
    return nullptr;
}

bool is_owned(const OvsObservedBridge& bridge) {
    return bridge.created_by == plan::kOvsCreatedBy &&
           config::has_numbered_name(bridge.name, config::kHostBridgePrefix);
}

bool is_owned(const OvsObservedPort& port) {
    return port.created_by == plan::kOvsCreatedBy &&
           config::has_numbered_name(port.name, config::kHostVethPrefix);
}

}  // namespace perouter::reconcile
