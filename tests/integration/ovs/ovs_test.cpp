// ovs::observe(), reconcile::diff_ovs() and ovs::execute() against a real ovsdb-server started in a
// scratch directory (ovsdb-tool create + ovsdb-server --detach with its own socket, pid, control
// and log files). The round trip a reconcile makes: observe, diff, execute, observe again ->
// nothing left to do; foreign bridges and ports are never touched. Skips without Open vSwitch.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/process.hpp"
#include "ovs/executor.hpp"
#include "ovs/observe.hpp"
#include "reconcile/ovs_diff.hpp"
#include "scratch_dir.hpp"

namespace perouter::ovs {
namespace {

namespace fs = std::filesystem;
using plan::OvsBridgeLifecycle;
using plan::OvsDatapath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kSchema = "/usr/share/openvswitch/vswitch.ovsschema";

class OvsdbServer : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(kSchema) || !run_process({"ovsdb-server", "--version"}))
            GTEST_SKIP() << "Open vSwitch not installed (openvswitch-switch)";
        const std::string d = dir_.path();
        ASSERT_TRUE(ok({"ovsdb-tool", "create", d + "/conf.db", kSchema}));
        ASSERT_TRUE(ok({"ovsdb-server", "--detach", "--no-chdir", "--pidfile=" + d + "/db.pid",
                        "--log-file=" + d + "/db.log", "--unixctl=" + d + "/db.ctl",
                        "--remote=punix:" + d + "/db.sock", d + "/conf.db"}));
        ASSERT_TRUE(ok(vsctl().argv({"--no-wait", "init"})));
    }

    void TearDown() override {
        int pid = read_pid_file(dir_.at("db.pid"));
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            // It removes its pid file and socket on the way out (it is not our child to reap).
            for (int i = 0; i < 100 && fs::exists(dir_.at("db.pid")); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    static bool ok(const std::vector<std::string>& argv) {
        auto r = run_process(argv);
        EXPECT_TRUE(r && r->exit_code == 0)
            << argv[0] << ": " << (r ? r->err + r->out : r.error().message);
        return r && r->exit_code == 0;
    }

    Vsctl vsctl() const { return Vsctl("unix:" + dir_.at("db.sock")); }

    // observe -> diff -> execute, as Router::apply_ovs does; returns what was done.
    std::vector<std::string> apply(const std::vector<plan::OvsPortSpec>& desired) {
        auto obs = observe(vsctl());
        EXPECT_TRUE(obs) << obs.error().message;
        if (!obs)
            return {};
        std::vector<std::string> done;
        for (const auto& a : reconcile::diff_ovs(desired, *obs).actions) {
            Status st = execute(vsctl(), a);
            EXPECT_TRUE(st) << reconcile::describe(a) << ": " << st.error().message;
            done.push_back(reconcile::describe(a));
        }
        return done;
    }

    test::ScratchDir dir_{"perouter-ovs"};
};

plan::OvsPortSpec managed110() {
    return {"br-hs-110", OvsBridgeLifecycle::Managed, OvsDatapath::Netdev, "host-e-110", "vms"};
}
plan::OvsPortSpec external120() {
    return {"br-vms", OvsBridgeLifecycle::External, OvsDatapath::Netdev, "host-e-120", "ovn"};
}

TEST_F(OvsdbServer, RoundTripConvergesAndLeavesForeignObjectsAlone) {
    // The operator's bridge with a VM port, and a bridge named like ours but not marked.
    ASSERT_TRUE(ok(vsctl().argv({"--no-wait", "add-br", "br-vms", "--", "add-port", "br-vms",
                                 "vm-1", "--", "add-br", "br-hs-7"})));
    std::vector<plan::OvsPortSpec> want{managed110(), external120()};
    EXPECT_THAT(apply(want), ElementsAre("ovs: create bridge br-hs-110 (datapath netdev)",
                                         "ovs: add port host-e-110 to bridge br-hs-110",
                                         "ovs: add port host-e-120 to bridge br-vms"));
    EXPECT_THAT(apply(want), ElementsAre()) << "a second reconcile changes nothing";

    auto obs = observe(vsctl());
    ASSERT_TRUE(obs) << obs.error().message;
    const auto* ours = obs->bridge("br-hs-110");
    ASSERT_NE(ours, nullptr);
    EXPECT_TRUE(reconcile::is_owned(*ours));
    EXPECT_EQ(ours->datapath, OvsDatapath::Netdev);
    EXPECT_EQ(obs->bridge_of_port("host-e-120")->name, "br-vms");
    EXPECT_FALSE(reconcile::is_owned(*obs->bridge("br-vms")));
    auto mark = vsctl().run({"get", "Port", "host-e-120", "external_ids:created-by"});
    ASSERT_TRUE(mark) << mark.error().message;
    EXPECT_THAT(*mark, HasSubstr("perouter"));

    // Everything goes: our bridge and our port; the operator's bridge, its VM and the unmarked
    // look-alike stay.
    EXPECT_THAT(apply({}),
                ElementsAre("ovs: remove port host-e-120 from bridge br-vms (not desired)",
                            "ovs: delete bridge br-hs-110 (not desired)"));
    EXPECT_THAT(apply({}), ElementsAre());
    auto left = vsctl().run({"list-br"});
    ASSERT_TRUE(left) << left.error().message;
    EXPECT_EQ(*left, "br-hs-7\nbr-vms\n");
    auto ports = vsctl().run({"list-ports", "br-vms"});
    ASSERT_TRUE(ports);
    EXPECT_EQ(*ports, "vm-1\n");
}

TEST_F(OvsdbServer, RepeatedActionsSucceed) {
    // A change whose answer was lost (a timeout after the commit) is run again by the next
    // reconcile only if observed missing; the executor still tolerates a repeat.
    for (int i = 0; i < 2; ++i) {
        for (const auto& op : std::vector<reconcile::OvsOperation>{
                 reconcile::OvsCreateBridge{"br-hs-5", OvsDatapath::System},
                 reconcile::OvsAddPort{"br-hs-5", "host-e-5"}}) {
            Status st = execute(vsctl(), reconcile::OvsAction{"x", op});
            EXPECT_TRUE(st) << st.error().message;
        }
    }
    for (int i = 0; i < 2; ++i) {
        for (const auto& op : std::vector<reconcile::OvsOperation>{
                 reconcile::OvsDeletePort{"br-hs-5", "host-e-5", "not desired"},
                 reconcile::OvsDeleteBridge{"br-hs-5"}}) {
            Status st = execute(vsctl(), reconcile::OvsAction{"x", op});
            EXPECT_TRUE(st) << st.error().message;
        }
    }
    auto left = vsctl().run({"list-br"});
    ASSERT_TRUE(left);
    EXPECT_EQ(*left, "");
}

TEST_F(OvsdbServer, ServerGoneIsAClearError) {
    TearDown();  // stops ovsdb-server, which removes its socket
    auto obs = observe(vsctl());
    ASSERT_FALSE(obs);
    EXPECT_THAT(obs.error().message, HasSubstr("Open vSwitch is not running"));
}

}  // namespace
}  // namespace perouter::ovs
