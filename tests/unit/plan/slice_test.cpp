// Slices of the desired state by owner (plan/slice.hpp): what a change of configuration
// touches, the base of the daemon's reconcile of changes.
#include "plan/slice.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "config/load.hpp"
#include "plan/planner.hpp"
#include "support/scratch_dir.hpp"

namespace perouter::plan {
namespace {

// The shared minimal configuration plus a passthrough (an owner with addresses).
const std::string kBase = std::string(test::kMinimalConfig) + R"(
[passthrough]
[passthrough.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.20.0/24" }
)";

std::string l2(const std::string& name, int vni) {
    return "[[l2vni]]\nname = \"" + name + "\"\nvni = " + std::to_string(vni) + "\n";
}

DesiredState plan(const std::string& extra) {
    auto c = config::parse({{"test.toml", kBase + extra}});
    if (!c) {
        ADD_FAILURE() << c.error().front().str();
        return {};
    }
    auto d = build(*c, Facts{});
    if (!d) {
        ADD_FAILURE() << d.error().message;
        return {};
    }
    return *d;
}

TEST(Slice, NothingChangedNoOwner) {
    DesiredState a = plan(l2("web", 110) + l2("db", 120));
    EXPECT_TRUE(changed_owners(a, a).empty());
    EXPECT_TRUE(same_node_wide(a, a));
}

TEST(Slice, AnAddedVpnIsTheOnlyOwnerChanged) {
    DesiredState before = plan(l2("web", 110) + l2("db", 120));
    DesiredState after = plan(l2("web", 110) + l2("db", 120) + l2("new", 130));
    EXPECT_EQ(changed_owners(before, after), (std::set<std::string>{"new"}));
    EXPECT_TRUE(same_node_wide(before, after));
    // And removed: the same owner, from the other side.
    EXPECT_EQ(changed_owners(after, before), (std::set<std::string>{"new"}));
}

TEST(Slice, AChangedVpnIsChangedTheOthersAreNot) {
    DesiredState before = plan(l2("web", 110) + l2("db", 120));
    DesiredState after = plan(l2("web", 110) + l2("db", 121));
    EXPECT_EQ(changed_owners(before, after), (std::set<std::string>{"db"}));
}

TEST(Slice, HoldsOnlyTheObjectsOfItsOwnersInOrder) {
    DesiredState d = plan(l2("web", 110) + l2("db", 120));
    DesiredState s = slice(d, {"db"});
    ASSERT_FALSE(s.links.empty());
    EXPECT_TRUE(std::all_of(s.links.begin(), s.links.end(),
                            [](const LinkSpec& l) { return l.owner == "db"; }));
    std::vector<LinkSpec> expected;
    for (const auto& l : d.links)
        if (l.owner == "db")
            expected.push_back(l);
    EXPECT_EQ(s.links, expected);
    // Node-wide parts stay out of a slice: they are never reconciled by owner.
    EXPECT_TRUE(s.underlay_nics.empty());
    EXPECT_TRUE(s.sysctls.empty());
    EXPECT_TRUE(s.addresses.empty());  // an L2VNI without gateway has none
    DesiredState p = slice(d, {"passthrough"});
    EXPECT_FALSE(p.addresses.empty());
    EXPECT_TRUE(std::all_of(p.addresses.begin(), p.addresses.end(),
                            [](const AddressSpec& a) { return a.owner == "passthrough"; }));
}

TEST(Slice, AnL2vniBringsTheVrfOfItsRoutingDomain) {
    const std::string red =
        "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n"
        "[[l2vni]]\nname = \"silent\"\nvni = 130\nrouting_domain = \"red\"\n"
        "gateway_ips = [\"10.130.0.1/24\"]\n";
    DesiredState before =
        plan(l2("web", 110) + "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n");
    DesiredState after = plan(l2("web", 110) + red);
    auto changed = changed_owners(before, after);
    EXPECT_EQ(changed, (std::set<std::string>{"silent"}));
    // The bridge of "silent" hangs off VRF red, which "red" owns: a slice of "silent" alone
    // would see the VRF and not desire it.
    EXPECT_EQ(with_master_owners(changed, before, after), (std::set<std::string>{"red", "silent"}));
    EXPECT_EQ(with_master_owners({"web"}, before, after), (std::set<std::string>{"web"}));
}

TEST(Slice, AnUnderlayChangeIsNodeWide) {
    DesiredState before = plan(l2("web", 110));
    DesiredState after = plan(l2("web", 110));
    after.underlay_nics.push_back("second");
    EXPECT_FALSE(same_node_wide(before, after));
    DesiredState sysctl = before;
    sysctl.sysctls.pop_back();
    EXPECT_FALSE(same_node_wide(before, sysctl));
}

}  // namespace
}  // namespace perouter::plan
