// ovs-vsctl's JSON tables -> reconcile::OvsObserved. Pure, so that captured output can be
// unit-tested; ovs/observe.cpp runs the command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "reconcile/ovs_observed.hpp"

namespace perouter::ovs {

/// The ovs-vsctl commands whose output parse_tables() reads: the Bridge, Port and Interface
/// tables, one JSON object per line, with the columns it needs.
std::vector<std::string> observe_commands();

/// Reads the output of observe_commands() run with --format=json. Ports are listed under the
/// bridge that holds them; a port on no bridge is left out (OVS ignores it too).
Result<reconcile::OvsObserved> parse_tables(std::string_view output);

}  // namespace perouter::ovs
