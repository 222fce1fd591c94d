// Config + Facts -> DesiredState. Pure: no netlink, no files, no clock, so the whole
// desired state (kernel objects and FRR text) can be golden-tested.
#pragma once

#include <set>
#include <string>

#include "common/result.hpp"
#include "config/model.hpp"
#include "plan/desired.hpp"

namespace perouter::plan {

struct Options {
    std::string frr_log_file;  // "" = FRR logs to syslog
    /// Datapath of the OVS bridges perouter creates (perouterd --ovs-datapath).
    OvsDatapath ovs_datapath = OvsDatapath::System;
    /// When set, the objects (links, addresses, OVS ports) of only these [[l2vni]] entries are
    /// planned; FRR's configuration, and everything that is not an L2VNI, is planned whole. For
    /// a change confined to L2VNI entries (plan/slice.hpp, changed_l2vnis).
    const std::set<std::string>* l2vni_objects = nullptr;
};

/// Builds the desired state of the router. A config without [underlay] yields an empty
/// state (no router at all). Fails only when a per-node value cannot be derived (node index
/// unknown, a pool too small for this node's index); the config itself is assumed validated.
Result<DesiredState> build(const config::Config& cfg, const Facts& facts, const Options& opts = {});

}  // namespace perouter::plan
