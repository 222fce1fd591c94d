// ovs-vsctl's JSON tables -> OvsObserved, on output captured from ovs-vsctl 3.1 (Debian 12)
// running observe_commands() against an ovsdb-server with an ovs-vswitchd (userspace datapath):
// perouter's managed br-hs-110 with its port, and a foreign br-int holding a VM port and one of
// our ports whose device did not exist (Interface.error set by vswitchd).
#include "ovs/tables.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace perouter::ovs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const char* kCaptured =
    R"json({"data":[["br-hs-110","netdev",["map",[["created-by","perouter"]]],["set",[["uuid","19af4565-5cb2-46db-bbc8-90b13089815b"],["uuid","5a1b3ab0-5e02-4a6a-ac62-42e3038fe1b8"]]]],["br-int","netdev",["map",[]],["set",[["uuid","0080d5e6-f91c-4dd0-903c-a2792e275713"],["uuid","158957a6-82fe-4007-8f09-c3ed39750a90"],["uuid","fd920e15-e1c4-418a-922f-7e19dde41e9b"]]]]],"headings":["name","datapath_type","external_ids","ports"]}
{"data":[[["uuid","5a1b3ab0-5e02-4a6a-ac62-42e3038fe1b8"],"host-e-110",["map",[["created-by","perouter"]]],["uuid","f527dee1-15f5-43bb-95ea-4c4a4f4c8fbd"]],[["uuid","19af4565-5cb2-46db-bbc8-90b13089815b"],"br-hs-110",["map",[]],["uuid","05ce208d-b256-407d-9ddb-d6c1e59ee926"]],[["uuid","fd920e15-e1c4-418a-922f-7e19dde41e9b"],"vm-1",["map",[]],["uuid","165c98d9-1bcf-4204-90ae-8a44bbbfd049"]],[["uuid","0080d5e6-f91c-4dd0-903c-a2792e275713"],"host-e-120",["map",[["created-by","perouter"],["other","x"]]],["uuid","91ad3bd9-3d21-4b01-8910-bffa6a6d0344"]],[["uuid","158957a6-82fe-4007-8f09-c3ed39750a90"],"br-int",["map",[]],["uuid","749f2824-1d14-4980-8951-3c57841fc6e2"]]],"headings":["_uuid","name","external_ids","interfaces"]}
{"data":[[["uuid","749f2824-1d14-4980-8951-3c57841fc6e2"],["set",[]]],[["uuid","91ad3bd9-3d21-4b01-8910-bffa6a6d0344"],"could not open network device host-e-120 (No such device)"],[["uuid","05ce208d-b256-407d-9ddb-d6c1e59ee926"],["set",[]]],[["uuid","165c98d9-1bcf-4204-90ae-8a44bbbfd049"],"could not open network device vm-1 (No such device)"],[["uuid","f527dee1-15f5-43bb-95ea-4c4a4f4c8fbd"],["set",[]]]],"headings":["_uuid","error"]}
)json";

std::vector<std::string> port_names(const reconcile::OvsObservedBridge& b) {
    std::vector<std::string> out;
    for (const auto& p : b.ports)
        out.push_back(p.name);
    return out;
}

TEST(OvsTables, CapturedOutput) {
    auto o = parse_tables(kCaptured);
    ASSERT_TRUE(o) << o.error().message;
    ASSERT_EQ(o->bridges.size(), 2u);

    const auto* ours = o->bridge("br-hs-110");
    ASSERT_NE(ours, nullptr);
    EXPECT_EQ(ours->datapath, plan::OvsDatapath::Netdev);
    EXPECT_EQ(ours->created_by, "perouter");
    EXPECT_TRUE(reconcile::is_owned(*ours));
    EXPECT_THAT(port_names(*ours), ElementsAre("br-hs-110", "host-e-110"));
    EXPECT_EQ(ours->ports[1].created_by, "perouter");
    EXPECT_THAT(ours->ports[1].errors, IsEmpty());

    const auto* ovn = o->bridge("br-int");
    ASSERT_NE(ovn, nullptr);
    EXPECT_EQ(ovn->created_by, "");
    EXPECT_FALSE(reconcile::is_owned(*ovn));
    EXPECT_THAT(port_names(*ovn), ElementsAre("host-e-120", "br-int", "vm-1"));
    EXPECT_EQ(ovn->ports[0].created_by, "perouter");  // next to another external_ids key
    EXPECT_THAT(ovn->ports[0].errors,
                ElementsAre("could not open network device host-e-120 (No such device)"));
    EXPECT_EQ(o->bridge_of_port("host-e-120"), ovn);
    EXPECT_EQ(o->bridge_of_port("host-e-130"), nullptr);
}

// OVSDB writes a one-element set as the bare atom, and an empty datapath_type means "system".
TEST(OvsTables, SingleElementSetsAndDefaults) {
    auto o = parse_tables(
        R"({"data":[["br-hs-5","",["map",[["created-by","perouter"]]],["uuid","p1"]],["br-d","dummy",["map",[]],["set",[]]]],"headings":["name","datapath_type","external_ids","ports"]}
{"data":[[["uuid","p1"],"br-hs-5",["map",[]],["uuid","i1"]]],"headings":["_uuid","name","external_ids","interfaces"]}
{"data":[[["uuid","i1"],["set",[]]]],"headings":["_uuid","error"]}
)");
    ASSERT_TRUE(o) << o.error().message;
    ASSERT_EQ(o->bridges.size(), 2u);
    EXPECT_EQ(o->bridges[0].datapath, plan::OvsDatapath::System);
    EXPECT_THAT(port_names(o->bridges[0]), ElementsAre("br-hs-5"));
    EXPECT_FALSE(o->bridges[1].datapath);  // a type perouter never sets
    EXPECT_THAT(o->bridges[1].ports, IsEmpty());
}

TEST(OvsTables, EmptyDatabase) {
    auto o = parse_tables(
        R"({"data":[],"headings":["name","datapath_type","external_ids","ports"]}
{"data":[],"headings":["_uuid","name","external_ids","interfaces"]}
{"data":[],"headings":["_uuid","error"]}
)");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_THAT(o->bridges, IsEmpty());
}

TEST(OvsTables, MalformedOutputIsAnError) {
    auto not_json = parse_tables("ovs-vsctl: something else\n");
    ASSERT_FALSE(not_json);
    EXPECT_THAT(not_json.error().message, HasSubstr("not JSON"));
    auto two = parse_tables(R"({"data":[],"headings":[]})"
                            "\n"
                            R"({"data":[],"headings":[]})");
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().message, "ovs-vsctl: expected 3 tables, got 2");
    auto shape = parse_tables("[]\n[]\n[]\n");
    ASSERT_FALSE(shape);
    EXPECT_EQ(shape.error().message, "ovs-vsctl: unexpected output for the Bridge table");
}

TEST(OvsTables, CommandsAskForTheColumnsParsed) {
    auto cmd = observe_commands();
    ASSERT_FALSE(cmd.empty());
    EXPECT_EQ(cmd[0], "--format=json");
    EXPECT_THAT(cmd, testing::Contains("--columns=name,datapath_type,external_ids,ports"));
    EXPECT_THAT(cmd, testing::Contains("--columns=_uuid,name,external_ids,interfaces"));
    EXPECT_THAT(cmd, testing::Contains("--columns=_uuid,error"));
}

}  // namespace
}  // namespace perouter::ovs
