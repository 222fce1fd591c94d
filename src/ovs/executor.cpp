#include "ovs/executor.hpp"

#include <fmt/format.h>

#include "common/overloaded.hpp"

namespace perouter::ovs {

namespace {

std::string mark() {
    return fmt::format("external_ids:{}={}", plan::kOvsCreatedByKey, plan::kOvsCreatedBy);
}

std::string datapath(plan::OvsDatapath d) {
    return fmt::format("datapath_type={}", plan::to_string(d));
}

}  // namespace

std::vector<std::string> commands(const reconcile::OvsAction& action) {
    std::vector<std::string> cmd{"--no-wait"};
    std::vector<std::string> rest =
        std::visit(Overloaded{
                       [](const reconcile::OvsCreateBridge& c) -> std::vector<std::string> {
                           return {"--",  "--may-exist", "add-br", c.bridge, "--",
                                   "set", "Bridge",      c.bridge, mark(),   datapath(c.datapath)};
                       },
                       [](const reconcile::OvsSetDatapath& s) -> std::vector<std::string> {
                           return {"--", "set", "Bridge", s.bridge, datapath(s.datapath)};
                       },
                       [](const reconcile::OvsDeleteBridge& d) -> std::vector<std::string> {
                           return {"--", "--if-exists", "del-br", d.bridge};
                       },
                       [](const reconcile::OvsAddPort& a) -> std::vector<std::string> {
                           return {"--", "--may-exist", "add-port", a.bridge, a.port,
                                   "--", "set",         "Port",     a.port,   mark()};
                       },
                       [](const reconcile::OvsDeletePort& d) -> std::vector<std::string> {
                           return {"--", "--if-exists", "del-port", d.bridge, d.port};
                       },
                   },
                   action.op);
    cmd.insert(cmd.end(), rest.begin(), rest.end());
    return cmd;
}

Status execute(const Vsctl& vsctl, const reconcile::OvsAction& action) {
    auto out = vsctl.run(commands(action));
    if (!out)
        return fail(std::move(out).error());
    return {};
}

}  // namespace perouter::ovs
