#include "ovs/observe.hpp"

#include "ovs/tables.hpp"

namespace perouter::ovs {

Result<reconcile::OvsObserved> observe(const Vsctl& vsctl) {
    auto out = vsctl.run(observe_commands());
    if (!out)
        return fail(std::move(out).error());
    return parse_tables(*out);
}

}  // namespace perouter::ovs
