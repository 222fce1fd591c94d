// Reads OVSDB's bridges and ports (one ovs-vsctl run) into a reconcile::OvsObserved.
#pragma once

#include "common/result.hpp"
#include "ovs/vsctl.hpp"
#include "reconcile/ovs_observed.hpp"

namespace perouter::ovs {

/// Fails when Open vSwitch is not running (no socket: Vsctl::reachable()), when ovs-vsctl is
/// missing or when the database does not answer.
Result<reconcile::OvsObserved> observe(const Vsctl& vsctl);

}  // namespace perouter::ovs
