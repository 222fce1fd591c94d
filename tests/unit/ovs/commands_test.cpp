// The ovs-vsctl command line of every OVS action, and the --ovsdb option's rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ovs/executor.hpp"
#include "ovs/vsctl.hpp"

namespace perouter::ovs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> cmd(reconcile::OvsOperation op) {
    return commands(reconcile::OvsAction{"l2-110", std::move(op)});
}

// Creating and marking are one transaction (nothing is ever created unmarked); --may-exist and
// --if-exists make a repeated action succeed; --no-wait never blocks on ovs-vswitchd.
TEST(OvsCommands, EveryActionIsOneMarkedTransaction) {
    EXPECT_THAT(
        cmd(reconcile::OvsCreateBridge{"br-hs-110", plan::OvsDatapath::Netdev}),
        ElementsAre("--no-wait", "--", "--may-exist", "add-br", "br-hs-110", "--", "set", "Bridge",
                    "br-hs-110", "external_ids:created-by=perouter", "datapath_type=netdev"));
    EXPECT_THAT(
        cmd(reconcile::OvsSetDatapath{"br-hs-110", plan::OvsDatapath::System}),
        ElementsAre("--no-wait", "--", "set", "Bridge", "br-hs-110", "datapath_type=system"));
    EXPECT_THAT(cmd(reconcile::OvsDeleteBridge{"br-hs-110"}),
                ElementsAre("--no-wait", "--", "--if-exists", "del-br", "br-hs-110"));
    EXPECT_THAT(cmd(reconcile::OvsAddPort{"br-int", "host-e-110"}),
                ElementsAre("--no-wait", "--", "--may-exist", "add-port", "br-int", "host-e-110",
                            "--", "set", "Port", "host-e-110", "external_ids:created-by=perouter"));
    EXPECT_THAT(cmd(reconcile::OvsDeletePort{"br-int", "host-e-110", "not desired"}),
                ElementsAre("--no-wait", "--", "--if-exists", "del-port", "br-int", "host-e-110"));
}

TEST(OvsCommands, DatabaseAndTimeoutComeFirst) {
    Vsctl v("unix:/tmp/x/db.sock");
    EXPECT_THAT(v.argv({"list-br"}),
                ElementsAre("ovs-vsctl", "--db=unix:/tmp/x/db.sock", "--timeout=5", "list-br"));
}

TEST(OvsDatabase, OnlyAbsoluteUnixSockets) {
    EXPECT_EQ(database_problem(kDefaultDatabase), "");
    EXPECT_EQ(database_problem("unix:/tmp/lab/ovs/db.sock"), "");
    EXPECT_EQ(database_problem("tcp:127.0.0.1:6640"), "must be unix:PATH");
    EXPECT_EQ(database_problem("/run/openvswitch/db.sock"), "must be unix:PATH");
    EXPECT_EQ(database_problem("unix:db.sock"), "the socket path must be absolute");
    EXPECT_EQ(database_problem("unix:"), "the socket path must be absolute");
}

// Without a socket no process is started and the error says what is missing.
TEST(OvsDatabase, MissingSocketIsAClearError) {
    Vsctl v("unix:/nonexistent/perouter-test/db.sock");
    Status st = v.reachable();
    ASSERT_FALSE(st);
    EXPECT_THAT(st.error().message, HasSubstr("Open vSwitch is not running: no database socket "
                                              "/nonexistent/perouter-test/db.sock"));
    auto r = v.run({"list-br"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, st.error().message);
    Vsctl file("unix:/proc/self/status");
    ASSERT_FALSE(file.reachable());
    EXPECT_THAT(file.reachable().error().message, HasSubstr("is not a socket"));
}

}  // namespace
}  // namespace perouter::ovs
