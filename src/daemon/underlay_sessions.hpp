// The state of each configured underlay neighbor, read from FRR's `show bgp neighbors json`.
// Pure: the daemon asks FRR (service_status.cpp) and hands the answer in.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace perouter::daemon {

/// How status and the journal name a neighbor: its address, its interface (unnumbered), or
/// "range CIDR" (dynamic neighbors).
std::string session_label(const config::Neighbor& n);

/// Label -> FRR's bgpState ("Established", "Active", ...; "Idle" when FRR does not list it).
/// A listen range is Established when any dynamic neighbor inside it is, else the state of the
/// first one FRR lists, else "Idle".
std::map<std::string, std::string> underlay_session_states(
    const std::vector<config::Neighbor>& neighbors, const nlohmann::json& frr_neighbors);

}  // namespace perouter::daemon
