// Executes one reconcile::Action against the kernel. Each action is idempotent where that is
// well defined: adding what exists exactly (EEXIST) and deleting what is gone (ENOENT/ENODEV)
// succeed. Errors name the action: "create vrf 'red' (table 1001): Operation not supported".
#pragma once

#include <filesystem>
#include <vector>

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

/// Link deletions on one side (all of `ds`), in one kernel request where that is safe; the
/// results are what one execute() per deletion would give.
struct DeleteLinksResult {
    std::vector<Status> results;  ///< one per deletion, in the order of `ds`
    bool one_request = false;     ///< done by one group delete (else one by one, or nothing)
};
DeleteLinksResult delete_links(const Namespaces& ns, const std::vector<reconcile::DeleteLink>& ds);

}  // namespace perouter::netlink
