// Named FRR models shared by the golden tests, the delta tests, the FRR integration test and
// the delta benchmark. Addresses follow the upstream examples (underlay AS 64514 peering with a
// leaf in AS 64512 at 192.168.11.2, VTEP 100.65.0.0/32, host sessions in 192.169.x.0/24).
#pragma once

#include <string>
#include <vector>

#include "frr/model.hpp"

namespace perouter::frr::testing {

struct NamedModel {
    std::string name;  // golden file tests/unit/frr/golden/<name>.conf
    Model model;
};

/// Every model that has a golden file, in a fixed order.
const std::vector<NamedModel>& golden_models();

/// The golden model called `name`; aborts the test program when there is none.
const Model& golden_model(const std::string& name);

/// Building blocks for tests that vary one thing.
Underlay underlay(bool with_vnis);
UnderlayNeighbor leaf_neighbor(bool evpn);
/// An L3VNI with a v4 host session: VRF `name`, VNI `vni`, host 192.169.<n>.2 where n = vni % 250.
Vrf l3vni_v4(const std::string& name, uint32_t vni);
Passthrough passthrough_session_v4();
HostNeighbor host_neighbor(const std::string& address, const std::string& remote_as);

/// An underlay plus `count` L3VNIs named vrf0000.. with VNIs 1000.., for scale tests.
Model many_vrfs(int count);

}  // namespace perouter::frr::testing
