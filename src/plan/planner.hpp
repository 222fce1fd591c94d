// Config + Facts -> DesiredState. Pure: no netlink, no files, no clock, so the whole
// desired state (kernel objects and FRR text) can be golden-tested.
#pragma once

#include <string>

#include "common/result.hpp"
#include "config/model.hpp"
#include "plan/desired.hpp"

namespace perouter::plan {

struct Options {
    std::string frr_log_file;  // "" = FRR logs to syslog
    /// Datapath of the OVS bridges perouter creates (perouterd --ovs-datapath).
    OvsDatapath ovs_datapath = OvsDatapath::System;
};

/// Builds the desired state of the router. A config without [underlay] yields an empty
/// state (no router at all). Fails only when a per-node value cannot be derived (node index
/// unknown, a pool too small for this node's index); the config itself is assumed validated.
Result<DesiredState> build(const config::Config& cfg, const Facts& facts, const Options& opts = {});

}  // namespace perouter::plan
