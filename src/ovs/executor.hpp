// Runs one reconcile::OvsAction: one ovs-vsctl invocation, hence one OVSDB transaction.
// Changes are written with --no-wait: ovs-vswitchd applies OVSDB on its own, and the daemon's
// event loop never waits for it; what vswitchd makes of a port (Interface.error) is read back by
// the next observe and reported by the diff.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "ovs/vsctl.hpp"
#include "reconcile/ovs_diff.hpp"

namespace perouter::ovs {

/// The ovs-vsctl commands for `action` (what execute() runs), e.g.
/// {"--no-wait", "--", "--may-exist", "add-port", "br-hs-110", "host-e-110", "--", "set",
///  "Port", "host-e-110", "external_ids:created-by=perouter"}. Creating and marking are one
/// transaction, so nothing is ever created unmarked; --may-exist/--if-exists make a repeated
/// action (after a timeout that hid a commit) succeed.
std::vector<std::string> commands(const reconcile::OvsAction& action);

Status execute(const Vsctl& vsctl, const reconcile::OvsAction& action);

}  // namespace perouter::ovs
