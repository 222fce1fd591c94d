// Executes one reconcile::Action against the kernel. Each action is idempotent where that is
// well defined: adding what exists exactly (EEXIST) and deleting what is gone (ENOENT/ENODEV)
// succeed. Errors name the action: "create vrf 'red' (table 1001): Operation not supported".
#pragma once

#include <filesystem>

#include "common/result.hpp"
#include "netlink/namespaces.hpp"
#include "reconcile/action.hpp"

namespace perouter::netlink {

struct ExecContext {
    /// perouterd's state directory (under --root); underlay NIC state is saved in
    /// <state_dir>/underlay/<nic>.json while the NIC is in the router namespace.
    std::filesystem::path state_dir;
};

Status execute(const Namespaces& ns, const reconcile::Action& action, const ExecContext& ctx);

}  // namespace perouter::netlink
