#include "netlink/executor.hpp"

#include "common/overloaded.hpp"
#include "netlink/ops.hpp"

namespace perouter::netlink {

Status execute(const Namespaces& ns, const reconcile::Action& action, const ExecContext& ctx) {
    using namespace reconcile;
    return std::visit(
        Overloaded{
            [&](const CreateLink& c) { return ops::create_link(ns, c); },
            [&](const ModifyLink& m) { return ops::modify_link(ns, m); },
            [&](const DeleteLink& d) { return ops::delete_link(ns, d); },
            [&](const AddAddress& a) { return ops::add_address(ns, a); },
            [&](const DeleteAddress& a) { return ops::delete_address(ns, a); },
            [&](const AddRoute& r) { return ops::add_route(ns, r.route); },
            [&](const DeleteRoute& r) { return ops::delete_route(ns, r.route); },
            [&](const SetSysctl& s) { return ops::set_sysctl(ns, s); },
            [&](const MoveNicIn& m) { return ops::move_nic_in(ns, m.nic, ctx.state_dir); },
            [&](const MoveNicOut& m) { return ops::move_nic_out(ns, m.nic, ctx.state_dir); },
            [&](const SetRouterLoUp&) { return ops::set_router_lo_up(ns); },
        },
        action.op);
}

DeleteLinksResult delete_links(const Namespaces& ns, const std::vector<reconcile::DeleteLink>& ds) {
    return ops::delete_links(ns, ds);
}

}  // namespace perouter::netlink
