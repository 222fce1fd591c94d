// perouterd's command line (perouterd(8)), shared by the modes in main.cpp.
#pragma once

#include <string>

#include "ovs/vsctl.hpp"

namespace perouter::daemon {

struct Options {
    std::string root;  // prefix for config dirs, state and the FRR instance files
    std::string netns = "perouter";
    std::string host_netns;  // "" = the namespace perouterd runs in
    std::string log_level = "info";
    std::string frr_launcher = "auto";  // "auto", "systemd" (frr@<netns>.service) or "direct"
    std::string ovsdb{ovs::kDefaultDatabase};  // OVSDB of host_master type "ovs-bridge"
    std::string ovs_datapath = "system";       // datapath_type of the OVS bridges we create

    std::string state_dir() const { return root + "/run/perouter/state"; }
};

}  // namespace perouter::daemon
