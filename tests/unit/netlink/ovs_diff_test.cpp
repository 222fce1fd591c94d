// The OVS diff against hand-made OVSDB observations. A small model of OVSDB (apply()) runs the
// actions so that convergence (a second diff is empty) is checked too.
#include "reconcile/ovs_diff.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace perouter::reconcile {
namespace {

using plan::OvsBridgeLifecycle;
using plan::OvsDatapath;
using plan::OvsPortSpec;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kOurs(plan::kOvsCreatedBy);

OvsPortSpec managed(uint32_t vni, OvsDatapath dp = OvsDatapath::Netdev) {
    return {fmt::format("br-hs-{}", vni), OvsBridgeLifecycle::Managed, dp,
            fmt::format("host-e-{}", vni), fmt::format("l2-{}", vni)};
}

OvsPortSpec external(uint32_t vni, std::string bridge) {
    return {std::move(bridge), OvsBridgeLifecycle::External, OvsDatapath::System,
            fmt::format("host-e-{}", vni), fmt::format("l2-{}", vni)};
}

OvsObservedPort port(std::string name, std::string created_by = kOurs) {
    return {std::move(name), std::move(created_by), {}};
}

OvsObservedBridge bridge(std::string name, std::string created_by,
                         std::vector<OvsObservedPort> ports,
                         std::optional<OvsDatapath> dp = OvsDatapath::System) {
    // Every OVS bridge has its own internal port of the same name.
    ports.insert(ports.begin(), port(name, ""));
    return {name, dp, std::move(created_by), std::move(ports)};
}

// --- a model of what OVSDB does with each action ---------------------------------------------

OvsObservedBridge* find(OvsObserved& o, const std::string& name) {
    for (auto& b : o.bridges)
        if (b.name == name)
            return &b;
    return nullptr;
}

void apply(OvsObserved& o, const OvsAction& a) {
    std::visit(
        [&](const auto& op) {
            using T = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<T, OvsCreateBridge>) {
                ASSERT_EQ(find(o, op.bridge), nullptr) << describe(a);
                o.bridges.push_back(bridge(op.bridge, kOurs, {}, op.datapath));
            } else if constexpr (std::is_same_v<T, OvsSetDatapath>) {
                find(o, op.bridge)->datapath = op.datapath;
            } else if constexpr (std::is_same_v<T, OvsDeleteBridge>) {
                std::erase_if(o.bridges, [&](const auto& b) { return b.name == op.bridge; });
            } else if constexpr (std::is_same_v<T, OvsAddPort>) {
                ASSERT_EQ(o.bridge_of_port(op.port), nullptr) << describe(a);
                ASSERT_NE(find(o, op.bridge), nullptr) << describe(a);
                find(o, op.bridge)->ports.push_back(port(op.port));
            } else if constexpr (std::is_same_v<T, OvsDeletePort>) {
                std::erase_if(find(o, op.bridge)->ports,
                              [&](const auto& p) { return p.name == op.port; });
            }
        },
        a.op);
}

OvsObserved applied(OvsObserved o, const OvsDiffResult& r) {
    for (const auto& a : r.actions)
        apply(o, a);
    return o;
}

std::vector<std::string> lines(const OvsDiffResult& r) {
    std::vector<std::string> out;
    for (const auto& a : r.actions)
        out.push_back(describe(a));
    return out;
}

// A host with OVN's integration bridge and a VM port on it: someone else's.
OvsObserved host_with_ovn() {
    OvsObserved o;
    o.bridges.push_back(bridge("br-int", "", {port("vm-1", "")}));
    return o;
}

// --- tests -----------------------------------------------------------------------------------

TEST(OvsDiff, ManagedBridgeIsCreatedThenThePortAdded) {
    std::vector<OvsPortSpec> d{managed(110)};
    OvsDiffResult r = diff_ovs(d, host_with_ovn());
    EXPECT_THAT(lines(r), ElementsAre("ovs: create bridge br-hs-110 (datapath netdev)",
                                      "ovs: add port host-e-110 to bridge br-hs-110"));
    EXPECT_THAT(r.problems, IsEmpty());
    EXPECT_EQ(r.actions[0].owner, "l2-110");
    EXPECT_EQ(r.actions[1].owner, "l2-110");
    OvsObserved after = applied(host_with_ovn(), r);
    EXPECT_TRUE(diff_ovs(d, after).empty()) << lines(diff_ovs(d, after)).front();
}

TEST(OvsDiff, ExistingStateIsAdoptedWithoutChanges) {
    // What a restarted perouterd finds: its bridge and port, marked, next to OVN's.
    OvsObserved o = host_with_ovn();
    o.bridges.push_back(bridge("br-hs-110", kOurs, {port("host-e-110")}, OvsDatapath::Netdev));
    o.bridges[0].ports.push_back(port("host-e-120"));
    OvsDiffResult r = diff_ovs({managed(110), external(120, "br-int")}, o);
    EXPECT_TRUE(r.empty()) << lines(r).front();
    EXPECT_THAT(r.problems, IsEmpty());
}

TEST(OvsDiff, ExternalBridgeGetsOnlyOurPort) {
    std::vector<OvsPortSpec> d{external(120, "br-int")};
    OvsDiffResult r = diff_ovs(d, host_with_ovn());
    EXPECT_THAT(lines(r), ElementsAre("ovs: add port host-e-120 to bridge br-int"));
    OvsObserved after = applied(host_with_ovn(), r);
    EXPECT_TRUE(diff_ovs(d, after).empty());
    // The VPN goes: only our port leaves; the bridge and the VM's port stay.
    OvsDiffResult gone = diff_ovs({}, after);
    EXPECT_THAT(lines(gone),
                ElementsAre("ovs: remove port host-e-120 from bridge br-int (not desired)"));
    OvsObserved end = applied(after, gone);
    ASSERT_NE(find(end, "br-int"), nullptr);
    EXPECT_EQ(find(end, "br-int")->ports.size(), 2u);  // br-int's own port and vm-1
}

TEST(OvsDiff, MissingExternalBridgeIsAProblemNotACreation) {
    OvsDiffResult r = diff_ovs({external(120, "br-ex")}, host_with_ovn());
    EXPECT_TRUE(r.empty()) << lines(r).front();
    EXPECT_THAT(r.problems, ElementsAre("external OVS bridge 'br-ex' not found"));
}

TEST(OvsDiff, RemovingTheVpnDeletesOurManagedBridgeWithEveryPort) {
    OvsObserved o = host_with_ovn();
    // A VM plugged into our managed bridge by someone else goes with the bridge.
    o.bridges.push_back(bridge("br-hs-110", kOurs, {port("host-e-110"), port("vm-2", "")}));
    OvsDiffResult r = diff_ovs({}, o);
    EXPECT_THAT(lines(r), ElementsAre("ovs: delete bridge br-hs-110 (not desired)"));
    EXPECT_EQ(r.actions[0].owner, "");
    OvsObserved after = applied(o, r);
    EXPECT_TRUE(diff_ovs({}, after).empty());
    EXPECT_NE(find(after, "br-int"), nullptr);
}

TEST(OvsDiff, OnlyMarkedObjectsWithOurNamesAreOurs) {
    OvsObserved o;
    o.bridges.push_back(bridge("br-hs-7", "", {port("host-e-7", "")}));              // no mark
    o.bridges.push_back(bridge("br-hs-8", "openperouter", {port("host-e-8", "")}));  // upstream's
    o.bridges.push_back(bridge("br-storage", kOurs, {port("eth9")}));  // not our names
    o.bridges.push_back(bridge("br-x", "", {port("host-e-9", "someone")}));
    OvsDiffResult r = diff_ovs({}, o);
    EXPECT_TRUE(r.empty()) << lines(r).front();
    EXPECT_TRUE(is_owned(bridge("br-hs-7", kOurs, {})));
    EXPECT_FALSE(is_owned(bridge("br-hs-x7", kOurs, {})));
    EXPECT_TRUE(is_owned(port("host-e-16777215")));
    EXPECT_FALSE(is_owned(port("host-e-", kOurs)));
}

TEST(OvsDiff, ForeignBridgeWithTheManagedNameIsLeftAlone) {
    OvsObserved o;
    o.bridges.push_back(bridge("br-hs-110", "", {}));
    OvsDiffResult r = diff_ovs({managed(110)}, o);
    EXPECT_TRUE(r.empty()) << lines(r).front();
    EXPECT_THAT(r.problems, ElementsAre("OVS bridge 'br-hs-110' exists and is not ours (no "
                                        "external_ids:created-by=perouter); leaving it alone"));
}

TEST(OvsDiff, ForeignPortWithOurNameIsLeftAlone) {
    OvsObserved o = host_with_ovn();
    o.bridges[0].ports.push_back(port("host-e-120", ""));
    OvsDiffResult r = diff_ovs({external(120, "br-int")}, o);
    EXPECT_TRUE(r.empty()) << lines(r).front();
    EXPECT_THAT(r.problems,
                ElementsAre("OVS port 'host-e-120' on bridge 'br-int' exists and is not ours (no "
                            "external_ids:created-by=perouter); leaving it alone"));
}

TEST(OvsDiff, PortMovesWhenTheExternalBridgeChanges) {
    OvsObserved o = host_with_ovn();
    o.bridges.push_back(bridge("br-ex", "", {}));
    o.bridges[0].ports.push_back(port("host-e-120"));
    std::vector<OvsPortSpec> d{external(120, "br-ex")};
    OvsDiffResult r = diff_ovs(d, o);
    EXPECT_THAT(lines(r), ElementsAre("ovs: remove port host-e-120 from bridge br-int (moves to "
                                      "br-ex)",
                                      "ovs: add port host-e-120 to bridge br-ex"));
    EXPECT_EQ(r.actions[0].owner, "l2-120");
    EXPECT_TRUE(diff_ovs(d, applied(o, r)).empty());
}

TEST(OvsDiff, ManagedToExternalDeletesTheBridgeAndAddsThePortElsewhere) {
    OvsObserved o = host_with_ovn();
    o.bridges.push_back(bridge("br-hs-110", kOurs, {port("host-e-110")}));
    std::vector<OvsPortSpec> d{external(110, "br-int")};
    OvsDiffResult r = diff_ovs(d, o);
    EXPECT_THAT(lines(r), ElementsAre("ovs: delete bridge br-hs-110 (not desired)",
                                      "ovs: add port host-e-110 to bridge br-int"));
    EXPECT_TRUE(diff_ovs(d, applied(o, r)).empty());
}

TEST(OvsDiff, DatapathOfOurBridgeFollowsTheOption) {
    OvsObserved o;
    o.bridges.push_back(bridge("br-hs-110", kOurs, {port("host-e-110")}, OvsDatapath::System));
    std::vector<OvsPortSpec> d{managed(110, OvsDatapath::Netdev)};
    OvsDiffResult r = diff_ovs(d, o);
    EXPECT_THAT(lines(r), ElementsAre("ovs: set bridge br-hs-110 datapath netdev"));
    EXPECT_TRUE(diff_ovs(d, applied(o, r)).empty());
    // A datapath type we never set (e.g. "dummy") is also brought back.
    o.bridges[0].datapath.reset();
    EXPECT_THAT(lines(diff_ovs(d, o)), ElementsAre("ovs: set bridge br-hs-110 datapath netdev"));
}

TEST(OvsDiff, VswitchdErrorsOfOurPortsAreProblems) {
    OvsObserved o;
    o.bridges.push_back(bridge("br-hs-110", kOurs, {port("host-e-110")}, OvsDatapath::Netdev));
    o.bridges[0].ports[1].errors = {"could not open network device host-e-110 (No such device)"};
    OvsDiffResult r = diff_ovs({managed(110)}, o);
    EXPECT_TRUE(r.empty());
    EXPECT_THAT(r.problems, ElementsAre("OVS port 'host-e-110' on bridge 'br-hs-110': could not "
                                        "open network device host-e-110 (No such device)"));
}

TEST(OvsDiff, NothingWantedAndNothingOursIsEmpty) {
    EXPECT_TRUE(diff_ovs({}, OvsObserved{}).empty());
    EXPECT_TRUE(diff_ovs({}, host_with_ovn()).empty());
}

}  // namespace
}  // namespace perouter::reconcile
