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

config::Config parsed(const std::string& extra) {
    auto c = config::parse({{"test.toml", kBase + extra}});
    if (!c) {
        ADD_FAILURE() << c.error().front().str();
        return {};
    }
    return *c;
}

DesiredState plan(const config::Config& c) {
    auto d = build(c, Facts{});
    if (!d) {
        ADD_FAILURE() << d.error().message;
        return {};
    }
    return *d;
}

DesiredState plan(const std::string& extra) {
    return plan(parsed(extra));
}

// The owners a change touches, as the daemon takes them (plan/slice.hpp).
std::set<std::string> touched(const DesiredState& before, const DesiredState& after) {
    return with_master_owners(changed_owners(before, after), after, before);
}

// A change of L2VNI entries planned from only those entries touches the same owners, with the
// same objects, as when planned from the whole configurations.
void expect_planned_alike(const std::string& before_extra, const std::string& after_extra,
                          const std::set<std::string>& l2vnis,
                          const std::set<std::string>& owners) {
    const config::Config b = parsed(before_extra), a = parsed(after_extra);
    auto names = changed_l2vnis(b, a);
    ASSERT_TRUE(names.has_value());
    EXPECT_EQ(*names, l2vnis);
    const DesiredState whole_b = plan(b), whole_a = plan(a);
    // As the daemon plans them: the old side from only those entries, the new one with the
    // objects of only those entries and FRR's configuration whole.
    const DesiredState part_b = plan(only_l2vnis(b, *names));
    Options only;
    only.l2vni_objects = &*names;
    auto built = build(a, Facts{}, only);
    ASSERT_TRUE(bool(built)) << built.error().message;
    const DesiredState& part_a = *built;
    EXPECT_EQ(part_a.frr_config, whole_a.frr_config);
    EXPECT_EQ(touched(whole_b, whole_a), owners);
    EXPECT_EQ(touched(part_b, part_a), owners);
    EXPECT_TRUE(same_node_wide(part_b, part_a));
    EXPECT_EQ(plan(only_l2vnis(a, *names)).links, part_a.links);
    for (const auto& [part, whole] : {std::pair{&part_b, &whole_b}, std::pair{&part_a, &whole_a}}) {
        const DesiredState p = slice(*part, owners), w = slice(*whole, owners);
        EXPECT_EQ(p.links, w.links);
        EXPECT_EQ(p.external_links, w.external_links);
        EXPECT_EQ(p.ovs_ports, w.ovs_ports);
        EXPECT_EQ(p.addresses, w.addresses);
        EXPECT_EQ(p.routes, w.routes);
        EXPECT_EQ(p.node_index, w.node_index);
        EXPECT_EQ(p.router_id, w.router_id);
    }
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

const std::string kRed = "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n";
const std::string kBlue =
    "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 101\n"
    "host_session = { asn = 64514, host_asn = 64516, "
    "local_cidr = { ipv4 = \"192.169.30.0/24\" } }\n";

std::string routed(const std::string& name, int vni, const std::string& domain,
                   const std::string& gateway) {
    return l2(name, vni) + "routing_domain = \"" + domain + "\"\ngateway_ips = [\"" + gateway +
           "\"]\n";
}

TEST(Slice, AnL2vniChangePlannedFromItsEntriesAlone) {
    const std::string others =
        kRed + kBlue + l2("web", 110) + routed("db", 120, "red", "10.120.0.1/24");
    // Added, and removed.
    expect_planned_alike(others, others + l2("new", 130), {"new"}, {"new"});
    expect_planned_alike(others + l2("new", 130), others, {"new"}, {"new"});
    // Added in a routing domain: it brings the VRF's owner along.
    expect_planned_alike(others, others + routed("silent", 140, "blue", "10.140.0.1/24"),
                         {"silent"}, {"blue", "silent"});
    // Moved to another routing domain, and a changed VNI.
    expect_planned_alike(others,
                         kRed + kBlue + l2("web", 110) + routed("db", 120, "blue", "10.120.0.1/24"),
                         {"db"}, {"blue", "db", "red"});
    expect_planned_alike(others,
                         kRed + kBlue + l2("web", 111) + routed("db", 120, "red", "10.120.0.1/24"),
                         {"web"}, {"web"});
    // Only FRR's part changes (route targets): an entry that changed, no objects touched.
    expect_planned_alike(others + l2("rt", 150),
                         others + l2("rt", 150) + "import_rts = [\"64512:150\"]\n", {"rt"}, {});
    // An external host bridge.
    expect_planned_alike(
        others,
        others + l2("ext", 160) +
            "host_master = { type = \"linux-bridge\", lifecycle = \"external\", name = \"br0\" }\n",
        {"ext"}, {"ext"});
}

TEST(Slice, AnythingButL2vniEntriesIsNotAnL2vniChange) {
    const config::Config base = parsed(kRed + l2("web", 110));
    EXPECT_EQ(changed_l2vnis(base, base), std::set<std::string>{});
    // Another L3VNI, the passthrough, the underlay.
    EXPECT_FALSE(changed_l2vnis(base, parsed(kRed + kBlue + l2("web", 110))));
    config::Config no_passthrough = base;
    no_passthrough.passthrough.reset();
    EXPECT_FALSE(changed_l2vnis(base, no_passthrough));
    config::Config other_underlay = base;
    other_underlay.underlay->asn += 1;
    EXPECT_FALSE(changed_l2vnis(base, other_underlay));
    // only_l2vnis keeps everything but the L2VNIs not named.
    config::Config part = only_l2vnis(parsed(kRed + l2("web", 110) + l2("db", 120)), {"db"});
    ASSERT_EQ(part.l2vnis.size(), 1u);
    EXPECT_EQ(part.l2vnis[0].name, "db");
    EXPECT_EQ(part.l3vnis, base.l3vnis);
    EXPECT_EQ(part.underlay, base.underlay);
    EXPECT_EQ(part.passthrough, base.passthrough);
}

}  // namespace
}  // namespace perouter::plan
