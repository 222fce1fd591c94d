// The diff against hand-made observations. A small model of the kernel (apply()) executes the
// actions on an Observed so that convergence (a second diff is empty) is checked too.
#include "reconcile/diff.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace perouter::reconcile {
namespace {

using plan::KernelKind;
using plan::LinkKind;
using plan::LinkSpec;

IpPrefix P(const char* s) {
    return *IpPrefix::parse(s);
}
IpAddress A(const char* s) {
    return *IpAddress::parse(s);
}

LinkSpec link(Side side, std::string name, LinkKind kind, std::string owner = "red") {
    LinkSpec s;
    s.side = side;
    s.name = std::move(name);
    s.kind = kind;
    s.owner = std::move(owner);
    return s;
}

void veth_pair(plan::DesiredState& d, LinkSpec a, LinkSpec b) {
    a.veth_peer = b.name;
    a.veth_peer_side = b.side;
    b.veth_peer = a.name;
    b.veth_peer_side = a.side;
    d.links.push_back(std::move(a));
    d.links.push_back(std::move(b));
}

// Underlay + a pure L2VNI 110 with a managed host bridge + passthrough + routes and sysctls.
plan::DesiredState sample() {
    plan::DesiredState d;
    d.underlay_nics = {"toswitch"};
    auto br = link(Side::Router, "br-pe-110", LinkKind::Bridge);
    auto vx = link(Side::Router, "vni110", LinkKind::Vxlan);
    vx.vxlan = plan::VxlanAttrs{110, A("100.65.0.0"), 4789, false};
    vx.master = "br-pe-110";
    vx.bridge_port = plan::BridgePortAttrs{false, true};
    vx.addr_gen_mode_none = true;
    auto hs = link(Side::Host, "br-hs-110", LinkKind::Bridge);
    auto host_e = link(Side::Host, "host-e-110", LinkKind::Veth);
    host_e.master = "br-hs-110";
    host_e.mtu = 1450;
    auto pe_e = link(Side::Router, "pe-e-110", LinkKind::Veth);
    pe_e.master = "br-pe-110";
    pe_e.mtu = 1450;
    d.links = {br, vx, hs};
    veth_pair(d, host_e, pe_e);
    veth_pair(d, link(Side::Host, "pt-host", LinkKind::Veth, "passthrough"),
              link(Side::Router, "pt-ns", LinkKind::Veth, "passthrough"));
    d.addresses = {
        {Side::Router, "lo", P("100.65.0.0/32"), "underlay"},
        {Side::Router, "pt-ns", P("192.169.20.1/24"), "passthrough"},
        {Side::Host, "pt-host", P("192.169.20.2/24"), "passthrough"},
        {Side::Router, "pt-ns", P("2001:db8:20::1/64"), "passthrough"},
    };
    plan::RouteSpec r;
    r.side = Side::Host;
    r.dst = P("10.10.0.0/16");
    r.gateway = A("192.169.20.1");
    r.dev = "pt-host";
    r.owner = "passthrough";
    d.routes = {r};
    d.sysctls = {{Side::Router, "net/ipv4/conf/all/forwarding", "1", false},
                 {Side::Router, "net/ipv6/conf/all/forwarding", "1", false}};
    return d;
}

// An observed link with the attributes most tests care about; the rest at defaults.
ObservedLink seen(Side side, int ifindex, std::string name, KernelKind kind = KernelKind::None,
                  bool up = true, uint32_t mtu = 1500) {
    ObservedLink l;
    l.side = side;
    l.ifindex = ifindex;
    l.name = std::move(name);
    l.kind = kind;
    l.up = up;
    l.mtu = mtu;
    return l;
}

// A router namespace fresh from create_router(), the NIC still on the host, a foreign
// veth in the router namespace and a foreign look-alike on the host.
Observed pristine() {
    Observed o;
    o.router_ns_exists = true;
    o.links = {seen(Side::Router, 1, "lo"), seen(Side::Host, 1, "lo"),
               seen(Side::Host, 2, "toswitch"),
               seen(Side::Router, 50, "dummyish", KernelKind::Veth),
               seen(Side::Host, 60, "br-hs-999", KernelKind::Bridge)};
    o.addresses = {{Side::Router, "lo", P("127.0.0.1/8")},
                   {Side::Router, "lo", P("::1/128")},
                   {Side::Router, "dummyish", P("10.99.0.1/24")},
                   {Side::Host, "br-hs-999", P("10.98.0.1/24")}};
    o.sysctls = {{{Side::Router, "net/ipv4/conf/all/forwarding"}, "0"},
                 {{Side::Router, "net/ipv6/conf/all/forwarding"}, "0"}};
    return o;
}

// --- a model of what the kernel does with each action ------------------------------------

ObservedLink* find(Observed& o, Side side, const std::string& name) {
    for (auto& l : o.links)
        if (l.side == side && l.name == name)
            return &l;
    return nullptr;
}

void drop_link(Observed& o, Side side, const std::string& name) {
    ObservedLink* l = find(o, side, name);
    if (l == nullptr)
        return;
    auto peer = l->veth_peer;
    auto peer_side = l->veth_peer_side;
    std::erase_if(o.addresses, [&](const auto& a) { return a.side == side && a.link == name; });
    std::erase_if(o.routes, [&](const auto& r) { return r.side == side && r.dev == name; });
    for (auto& port : o.links)
        if (port.side == side && port.master == name) {
            port.master.reset();
            port.bridge_port.reset();
        }
    std::erase_if(o.links, [&](const auto& x) { return x.side == side && x.name == name; });
    if (peer)
        drop_link(o, *peer_side, *peer);
}

void enslave(Observed& o, ObservedLink& l, const std::string& master) {
    l.master = master;
    l.bridge_port.reset();
    ObservedLink* m = find(o, l.side, master);
    if (m != nullptr && m->kind == KernelKind::Bridge)
        l.bridge_port = plan::BridgePortAttrs{};
    if (m != nullptr &&
        m->kind == KernelKind::Vrf)  // the kernel cycles the link: IPv6 addresses go
        std::erase_if(o.addresses, [&](const auto& a) {
            return a.side == l.side && a.link == l.name && !a.prefix.is_v4();
        });
}

void add_link(Observed& o, const LinkSpec& s) {
    ObservedLink l;
    l.side = s.side;
    l.ifindex = 100 + static_cast<int>(o.links.size());
    l.name = s.name;
    l.kind = plan::kernel_kind(s.kind);
    l.mtu = s.mtu.value_or(1500);
    l.mac = s.mac;
    l.up = s.up;
    l.alias = std::string(plan::kLinkAlias);
    l.addr_gen_mode_none = s.addr_gen_mode_none;
    // What the observer reads (netlink/observe.cpp, read_ipv6_off).
    if (s.master || s.side == Side::Router)
        l.ipv6_off = s.ipv6 == plan::Ipv6::Off;
    l.vrf_table = s.vrf_table;
    l.vxlan = s.vxlan;
    if (s.macvlan) {  // created from the host side with our group (netlink/macvlan.cpp)
        l.group = plan::kCreatedGroup;
        l.macvlan_mode = s.macvlan->mode;
        if (const ObservedLink* parent = find(o, Side::Host, s.macvlan->parent))
            l.parent_ifindex = parent->ifindex;
    }
    l.veth_peer = s.veth_peer;
    l.veth_peer_side = s.veth_peer_side;
    o.links.push_back(l);
    ObservedLink& added = o.links.back();
    if (s.master) {
        enslave(o, added, *s.master);
        if (s.bridge_port)
            added.bridge_port = s.bridge_port;
    }
}

void apply(Observed& o, const Action& a) {
    std::visit(
        [&](const auto& op) {
            using T = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<T, CreateLink>) {
                add_link(o, op.spec);
                if (op.peer)
                    add_link(o, *op.peer);
            } else if constexpr (std::is_same_v<T, ModifyLink>) {
                ObservedLink* l = find(o, op.side, op.name);
                ASSERT_NE(l, nullptr) << describe(a);
                if (op.mtu)
                    l->mtu = *op.mtu;
                if (op.mac)
                    l->mac = op.mac;
                if (op.alias)
                    l->alias = *op.alias;
                if (op.addr_gen_mode_none)
                    l->addr_gen_mode_none = true;
                if (op.ipv6_off)
                    l->ipv6_off = *op.ipv6_off;
                if (op.master) {
                    if (op.master->empty()) {
                        l->master.reset();
                        l->bridge_port.reset();
                    } else {
                        enslave(o, *l, *op.master);
                    }
                }
                if (op.bridge_port)
                    l->bridge_port = op.bridge_port;
                if (op.up)
                    l->up = *op.up;
            } else if constexpr (std::is_same_v<T, DeleteLink>) {
                drop_link(o, op.side, op.name);
            } else if constexpr (std::is_same_v<T, AddAddress>) {
                o.addresses.push_back({op.side, op.link, op.prefix});
            } else if constexpr (std::is_same_v<T, DeleteAddress>) {
                std::erase_if(o.addresses, [&](const auto& x) {
                    return x.side == op.side && x.link == op.link && x.prefix == op.prefix;
                });
            } else if constexpr (std::is_same_v<T, AddRoute>) {
                const auto& r = op.route;
                o.routes.push_back({r.side, r.table, r.dst, r.type, r.gateway, r.dev, r.metric,
                                    plan::kRouteProtocol});
            } else if constexpr (std::is_same_v<T, DeleteRoute>) {
                const auto& r = op.route;
                std::erase_if(o.routes, [&](const auto& x) {
                    return x.side == r.side && x.table == r.table && x.dst == r.dst &&
                           x.metric == r.metric;
                });
            } else if constexpr (std::is_same_v<T, SetSysctl>) {
                o.sysctls[{op.side, op.key}] = op.value;
            } else if constexpr (std::is_same_v<T, MoveNicIn>) {
                ObservedLink* l = find(o, Side::Host, op.nic);
                if (l == nullptr)
                    l = find(o, Side::Router, op.nic);
                ASSERT_NE(l, nullptr);
                l->side = Side::Router;
                l->group = plan::kUnderlayGroup;
                l->up = true;
            } else if constexpr (std::is_same_v<T, MoveNicOut>) {
                ObservedLink* l = find(o, Side::Router, op.nic);
                ASSERT_NE(l, nullptr);
                l->side = Side::Host;
                l->group = 0;
            } else if constexpr (std::is_same_v<T, SetRouterLoUp>) {
                find(o, Side::Router, "lo")->up = true;
            }
        },
        a.op);
}

Observed applied(Observed o, const DiffResult& r) {
    for (const auto& a : r.actions)
        apply(o, a);
    return o;
}

std::vector<std::string> lines(const DiffResult& r) {
    std::vector<std::string> out;
    for (const auto& a : r.actions)
        out.push_back(describe(a));
    return out;
}

std::string joined(const DiffResult& r) {
    std::string s;
    for (const auto& l : lines(r))
        s += l + "\n";
    return s;
}

template <class T>
std::vector<const T*> ops_of(const DiffResult& r) {
    std::vector<const T*> out;
    for (const auto& a : r.actions)
        if (const T* t = std::get_if<T>(&a.op))
            out.push_back(t);
    return out;
}

// The converged observation: the sample applied from scratch.
Observed converged() {
    Observed o = pristine();
    return applied(o, diff(sample(), o));
}

// --- tests -----------------------------------------------------------------------------------

TEST(Diff, FromScratchCreatesEverythingInPhaseOrder) {
    DiffResult r = diff(sample(), pristine());
    EXPECT_TRUE(r.problems.empty()) << r.problems.front();
    EXPECT_EQ(lines(r),
              (std::vector<std::string>{
                  "set sysctl net/ipv4/conf/all/forwarding = 1 in router (was 0)",
                  "set sysctl net/ipv6/conf/all/forwarding = 1 in router (was 0)",
                  "move underlay interface toswitch into the router namespace",
                  "add address 100.65.0.0/32 to lo in router",
                  // A new bridge and its new ports: created down, the bridge comes up once
                  // its ports have joined it, then the ports; every creation comes before
                  // the first of those ups.
                  "create bridge br-pe-110 in router: down",
                  "create vxlan vni110 in router: id 110 local 100.65.0.0 dstport 4789 "
                  "nolearning master br-pe-110 bridge-port learning off neigh_suppress on "
                  "addrgenmode none down",
                  "create bridge br-hs-110 in host: down",
                  "create veth host-e-110 in host with peer pe-e-110 in router: mtu "
                  "1450 master br-hs-110 down; peer: mtu 1450 master br-pe-110 down",
                  "create veth pt-host in host with peer pt-ns in router: up; peer: up",
                  "change bridge br-pe-110 in router: up",
                  "change bridge br-hs-110 in host: up",
                  "change vxlan vni110 in router: up",
                  "change veth pe-e-110 in router: up",
                  "change veth host-e-110 in host: up",
                  "add address 192.169.20.1/24 to pt-ns in router",
                  "add address 192.169.20.2/24 to pt-host in host",
                  "add address 2001:db8:20::1/64 to pt-ns in router",
                  "add route 10.10.0.0/16 via 192.169.20.1 dev pt-host in host",
              }))
        << joined(r);
    EXPECT_TRUE(std::is_sorted(r.actions.begin(), r.actions.end(),
                               [](const Action& a, const Action& b) { return a.phase < b.phase; }));
    EXPECT_EQ(r.actions[2].phase, Phase::Underlay);
    EXPECT_EQ(r.actions[4].phase, Phase::Links);
    EXPECT_EQ(r.actions[4].owner, "red");
    EXPECT_EQ(r.actions.back().phase, Phase::Addresses);
}

TEST(Diff, ANewBridgeComesUpOnceItsNewPortsHaveJoinedIt) {
    // A new port on a bridge that is there already leaves the bridge alone.
    Observed o = converged();
    std::erase_if(o.links, [](const ObservedLink& l) { return l.name == "vni110"; });
    DiffResult r = diff(sample(), o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "create vxlan vni110 in router: id 110 local 100.65.0.0 dstport "
                            "4789 nolearning master br-pe-110 bridge-port learning off "
                            "neigh_suppress on addrgenmode none up",
                        }))
        << joined(r);

    // A new bridge without new ports comes up in its create request.
    plan::DesiredState d = sample();
    LinkSpec lone;
    lone.side = Side::Host;
    lone.name = "br-hs-120";
    lone.kind = LinkKind::Bridge;
    lone.owner = "lone";
    d.links.push_back(lone);
    r = diff(d, converged());
    EXPECT_EQ(lines(r), (std::vector<std::string>{"create bridge br-hs-120 in host: up"}))
        << joined(r);

    // Recreated, its ports join it again and it comes up after them.
    o = converged();
    for (auto& l : o.links)
        if (l.name == "br-pe-110") {
            l.kind = plan::KernelKind::Other;
            l.other_kind = "dummy";
        }
    r = diff(sample(), o);
    EXPECT_EQ(lines(r),
              (std::vector<std::string>{
                  "delete dummy br-pe-110 in router (recreate: kind dummy -> bridge)",
                  "create bridge br-pe-110 in router: down",
                  "change vxlan vni110 in router: master br-pe-110, bridge-port learning off "
                  "neigh_suppress on",
                  "change veth pe-e-110 in router: master br-pe-110",
                  "change bridge br-pe-110 in router: up",
              }))
        << joined(r);
    EXPECT_TRUE(diff(sample(), applied(o, r)).empty()) << joined(diff(sample(), applied(o, r)));
}

// Many new VNIs at once (a drop-in with many, or the first start): every link is created and
// joined first, then every new bridge comes up, then every port. zebra and bgpd react to each
// link coming up (a VXLAN device's up makes zebra read the bridge's FDB, which walks every
// link), and links coming up while others are still being created made the apply of 1000 VNIs
// take about twice the time of `ip -batch` doing the same (tests/bench/RESULTS.md, P5).
TEST(Diff, ManyNewVnisAreAllCreatedBeforeAnyComesUp) {
    plan::DesiredState d;
    for (int vni : {110, 120, 130}) {
        auto br = link(Side::Router, fmt::format("br-pe-{}", vni), LinkKind::Bridge);
        auto vx = link(Side::Router, fmt::format("vni{}", vni), LinkKind::Vxlan);
        vx.vxlan = plan::VxlanAttrs{static_cast<uint32_t>(vni), A("100.65.0.0"), 4789, false};
        vx.master = br.name;
        d.links.push_back(br);
        d.links.push_back(vx);
    }
    DiffResult r = diff(d, pristine());
    std::vector<std::string> got = lines(r);
    const auto first_up = std::find_if(got.begin(), got.end(), [](const std::string& l) {
        return l.starts_with("change ") && l.ends_with(": up");
    });
    ASSERT_NE(first_up, got.end()) << joined(r);
    EXPECT_EQ(std::count_if(got.begin(), first_up,
                            [](const std::string& l) { return l.starts_with("create "); }),
              6)
        << joined(r);
    EXPECT_EQ(std::count_if(first_up, got.end(),
                            [](const std::string& l) { return l.starts_with("create "); }),
              0)
        << joined(r);
    // The bridges first, then their ports.
    EXPECT_EQ(std::vector<std::string>(first_up, got.end()),
              (std::vector<std::string>{
                  "change bridge br-pe-110 in router: up", "change bridge br-pe-120 in router: up",
                  "change bridge br-pe-130 in router: up", "change vxlan vni110 in router: up",
                  "change vxlan vni120 in router: up", "change vxlan vni130 in router: up"}))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(pristine(), r)).empty());
}

TEST(Diff, ConvergedStateNeedsNothing) {
    DiffResult r = diff(sample(), converged());
    EXPECT_TRUE(r.empty()) << joined(r);
    EXPECT_TRUE(r.problems.empty());
}

TEST(Diff, MtuChangeModifiesOnlyTheMtu) {
    plan::DesiredState d = sample();
    for (auto& l : d.links)
        if (l.name == "host-e-110" || l.name == "pe-e-110")
            l.mtu = 1400;
    DiffResult r = diff(d, converged());
    EXPECT_EQ(lines(r), (std::vector<std::string>{"change veth host-e-110 in host: mtu 1400",
                                                  "change veth pe-e-110 in router: mtu 1400"}))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(converged(), r)).empty());
}

TEST(Diff, VxlanPortChangeRecreatesOnlyTheVxlan) {
    plan::DesiredState d = sample();
    d.links[1].vxlan->port = 4790;
    Observed before = converged();
    DiffResult r = diff(d, before);
    ASSERT_EQ(r.actions.size(), 2u) << joined(r);
    EXPECT_EQ(r.actions[0].phase, Phase::Remove);
    EXPECT_EQ(describe(r.actions[0]),
              "delete vxlan vni110 in router (recreate: dstport 4789 -> 4790)");
    EXPECT_EQ(r.actions[1].phase, Phase::Links);
    ASSERT_NE(std::get_if<CreateLink>(&r.actions[1].op), nullptr);
    EXPECT_EQ(std::get<CreateLink>(r.actions[1].op).spec.vxlan->port, 4790);
    EXPECT_TRUE(diff(d, applied(before, r)).empty());
}

TEST(Diff, ALinkOfAnotherKindIsRecreatedAndNamedAsTheKernelNamesIt) {
    Observed o = converged();
    ObservedLink* br = find(o, Side::Router, "br-pe-110");
    ASSERT_NE(br, nullptr);
    br->kind = KernelKind::Other;
    br->other_kind = "dummy";
    ObservedLink* vx = find(o, Side::Router, "vni110");
    ASSERT_NE(vx, nullptr);
    vx->kind = KernelKind::None;
    DiffResult r = diff(sample(), o);
    std::vector<std::string> deletes;
    for (const auto& a : r.actions)
        if (std::holds_alternative<DeleteLink>(a.op))
            deletes.push_back(describe(a));
    // Neither is a port or a VRF: both go with the bridges, in plan order.
    EXPECT_EQ(deletes, (std::vector<std::string>{
                           "delete dummy br-pe-110 in router (recreate: kind dummy -> bridge)",
                           "delete link vni110 in router (recreate: kind none -> vxlan)"}))
        << joined(r);
    EXPECT_TRUE(diff(sample(), applied(o, r)).empty());
}

TEST(KernelKind, FromTheKernelAndBack) {
    for (LinkKind k :
         {LinkKind::Bridge, LinkKind::Vxlan, LinkKind::Veth, LinkKind::Vrf, LinkKind::Macvlan}) {
        EXPECT_TRUE(plan::is_kind(plan::from_kernel(plan::to_string(k)), k));
        EXPECT_EQ(plan::to_string(plan::kernel_kind(k)), plan::to_string(k));
    }
    EXPECT_EQ(plan::from_kernel(""), KernelKind::None);
    EXPECT_EQ(plan::from_kernel("dummy"), KernelKind::Other);
    EXPECT_EQ(plan::from_kernel("Bridge"), KernelKind::Other);
    EXPECT_FALSE(plan::is_kind(KernelKind::Other, LinkKind::Bridge));
    EXPECT_EQ(plan::kernel_name(KernelKind::Other, "tun"), "tun");
    EXPECT_EQ(plan::kernel_name(KernelKind::None, ""), "none");
}

TEST(Diff, VxlanLocalChangeRecreates) {
    plan::DesiredState d = sample();
    d.links[1].vxlan->local = A("100.65.0.1");
    DiffResult r = diff(d, converged());
    EXPECT_EQ(ops_of<DeleteLink>(r).size(), 1u) << joined(r);
    EXPECT_EQ(ops_of<DeleteLink>(r)[0]->reason, "recreate: local 100.65.0.0 -> 100.65.0.1");
}

TEST(Diff, ForeignHostLinkWithOurNameButNoAliasIsLeftAlone) {
    Observed o = converged();
    // Someone else's br-hs-110: same name, no alias. Replace ours with it.
    drop_link(o, Side::Host, "br-hs-110");
    o.links.push_back(seen(Side::Host, 70, "br-hs-110", KernelKind::Bridge, false, 9000));
    DiffResult r = diff(sample(), o);
    for (const auto& a : r.actions) {
        std::string text = describe(a);
        EXPECT_EQ(text.find("br-hs-110 in host:"), std::string::npos) << text;
        EXPECT_EQ(text.find("delete bridge br-hs-110"), std::string::npos) << text;
    }
    ASSERT_FALSE(r.problems.empty());
    EXPECT_EQ(r.problems[0],
              "link 'br-hs-110' in the host namespace exists and is not ours (its alias is not "
              "'perouter'); leaving it alone");
    // The look-alike br-hs-999 is not even considered.
    EXPECT_EQ(joined(r).find("br-hs-999"), std::string::npos);
}

TEST(Diff, AHostLinkCreatedButNotYetAliasedIsOursAndGetsItsAlias) {
    Observed o = converged();
    // perouterd was killed between the create request (which carries the group) and the one
    // that sets the alias: the link is ours and the next reconcile finishes it.
    drop_link(o, Side::Host, "br-hs-110");
    ObservedLink l = seen(Side::Host, 70, "br-hs-110", KernelKind::Bridge, true, 9000);
    l.group = plan::kCreatedGroup;
    o.links.push_back(l);
    DiffResult r = diff(sample(), o);
    EXPECT_TRUE(r.problems.empty()) << r.problems.front();
    EXPECT_TRUE(ops_of<DeleteLink>(r).empty()) << joined(r);
    EXPECT_TRUE(ops_of<CreateLink>(r).empty()) << joined(r);
    const ModifyLink* bridge = nullptr;
    for (const ModifyLink* m : ops_of<ModifyLink>(r))
        if (m->name == "br-hs-110")
            bridge = m;
    ASSERT_NE(bridge, nullptr) << joined(r);
    ASSERT_TRUE(bridge->alias);
    EXPECT_EQ(*bridge->alias, plan::kLinkAlias);
}

TEST(Diff, ForeignRouterLinksAreNeverTouched) {
    for (const plan::DesiredState& d : {sample(), plan::DesiredState{}}) {
        DiffResult r = diff(d, converged());
        std::string text = joined(r);
        EXPECT_EQ(text.find("dummyish"), std::string::npos) << text;
        EXPECT_EQ(text.find("10.99.0.1"), std::string::npos) << text;
        EXPECT_EQ(text.find("127.0.0.1"), std::string::npos) << text;
        EXPECT_EQ(text.find("::1/128"), std::string::npos) << text;
    }
}

plan::DesiredState with_vrf(uint32_t table) {
    plan::DesiredState d = sample();
    auto vrf = link(Side::Router, "red", LinkKind::Vrf);
    vrf.vrf_table = table;
    d.links.insert(d.links.begin(), vrf);
    for (auto& l : d.links)
        if (l.name == "br-pe-110")
            l.master = "red";
    for (auto& l : d.links)
        if (l.name == "pt-ns")
            l.master = "red";
    return d;
}

TEST(Diff, VrfTableChangeRecreatesTheVrfAndReEnslavesItsPorts) {
    Observed before = pristine();
    before = applied(before, diff(with_vrf(1001), before));
    ASSERT_TRUE(diff(with_vrf(1001), before).empty());

    plan::DesiredState d = with_vrf(1002);
    DiffResult r = diff(d, before);
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "delete vrf red in router (recreate: table 1001 -> 1002)",
                            "create vrf red in router: table 1002 up",
                            "change bridge br-pe-110 in router: master red",
                            "change veth pt-ns in router: master red",
                            // Enslaving to a VRF drops the IPv6 address: it is put back.
                            "add address 2001:db8:20::1/64 to pt-ns in router",
                        }))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(before, r)).empty());
}

TEST(Diff, MissingUnderlayNicIsAProblem) {
    Observed o = pristine();
    std::erase_if(o.links, [](const auto& l) { return l.name == "toswitch"; });
    DiffResult r = diff(sample(), o);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0],
              "underlay interface 'toswitch' not found in the host or router namespace");
    EXPECT_TRUE(ops_of<MoveNicIn>(r).empty());
}

TEST(Diff, MissingExternalBridgeIsAProblem) {
    plan::DesiredState d = sample();
    d.external_links.push_back({Side::Host, "br0", "red"});
    for (auto& l : d.links)
        if (l.name == "host-e-110")
            l.master = "br0";
    DiffResult r = diff(d, pristine());
    ASSERT_EQ(r.problems.size(), 1u) << r.problems[0];
    EXPECT_EQ(r.problems[0], "external bridge 'br0' not found in the host namespace");
    // The veth is still created, unattached.
    auto creates = ops_of<CreateLink>(r);
    auto veth = std::find_if(creates.begin(), creates.end(),
                             [](const auto* c) { return c->spec.name == "host-e-110"; });
    ASSERT_NE(veth, creates.end());
    EXPECT_FALSE((*veth)->spec.master);
}

// host_master type "ovs-bridge": no host bridge link, the veth is an OVS port. With OVS's kernel
// datapath its kernel master is ovs-system; the diff must not release it (nor attach it).
TEST(Diff, OvsPortKeepsTheMasterOvsGaveIt) {
    plan::DesiredState d = sample();
    std::erase_if(d.links, [](const LinkSpec& l) { return l.name == "br-hs-110"; });
    for (auto& l : d.links)
        if (l.name == "host-e-110") {
            l.master.reset();
            l.ovs_port = true;
        }
    d.ovs_ports.push_back({"br-hs-110", plan::OvsBridgeLifecycle::Managed,
                           plan::OvsDatapath::System, "host-e-110", "red"});
    Observed o = applied(pristine(), diff(d, pristine()));
    EXPECT_TRUE(diff(d, o).empty()) << joined(diff(d, o));
    // OVS enslaves the veth to its datapath device, and creates the bridge's own device (not
    // ours: no alias, no group).
    find(o, Side::Host, "host-e-110")->master = "ovs-system";
    for (auto [ifindex, name] : {std::pair{70, "ovs-system"}, std::pair{71, "br-hs-110"}}) {
        o.links.push_back(seen(Side::Host, ifindex, name, KernelKind::Other));
        o.links.back().other_kind = "openvswitch";
    }
    DiffResult r = diff(d, o);
    EXPECT_TRUE(r.empty()) << joined(r);
    EXPECT_TRUE(r.problems.empty()) << r.problems.front();
    // The same veth without the OVS mark is released from a master it should not have.
    for (auto& l : d.links)
        if (l.name == "host-e-110")
            l.ovs_port = false;
    EXPECT_EQ(lines(diff(d, o)),
              std::vector<std::string>{"change veth host-e-110 in host: nomaster"});
}

TEST(Diff, TeardownRemovesWhatWeOwnAndMovesTheNicBack) {
    Observed before = converged();
    before.routes.push_back({Side::Router, 1001, P("0.0.0.0/0"), plan::RouteType::Unreachable,
                             std::nullopt, std::nullopt, plan::kVrfUnreachableMetric,
                             plan::kRouteProtocol});
    DiffResult r = diff(plan::DesiredState{}, before);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "move underlay interface toswitch back to the host",
                            "delete route unreachable 0.0.0.0/0 table 1001 metric 4278198272 "
                            "in router",
                            "delete address 100.65.0.0/32 from lo in router",
                            "delete vxlan vni110 in router (not desired)",
                            "delete bridge br-pe-110 in router (not desired)",
                            "delete veth host-e-110 in host (not desired)",
                            "delete veth pt-host in host (not desired)",
                            "delete bridge br-hs-110 in host (not desired)",
                        }))
        << joined(r);
    Observed after = applied(before, r);
    EXPECT_TRUE(diff(plan::DesiredState{}, after).empty());
    EXPECT_NE(find(after, Side::Host, "toswitch"), nullptr);
    EXPECT_NE(find(after, Side::Router, "dummyish"), nullptr);
    EXPECT_NE(find(after, Side::Host, "br-hs-999"), nullptr);
}

TEST(Diff, AddressesAreAddedAndRemovedButLinkLocalIsNotManaged) {
    Observed o = converged();
    o.addresses.push_back({Side::Router, "pt-ns", P("192.169.99.1/24")});
    o.addresses.push_back({Side::Router, "pt-ns", P("fe80::1/64")});
    o.addresses.push_back({Side::Router, "toswitch", P("192.168.11.3/24")});  // the NIC's own
    o.addresses.push_back({Side::Host, "br-hs-110", P("10.110.0.10/24")});    // the host's own
    plan::DesiredState d = sample();
    d.addresses.push_back({Side::Host, "pt-host", P("2001:db8:20::2/64"), "passthrough"});
    DiffResult r = diff(d, o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "delete address 192.169.99.1/24 from pt-ns in router",
                            "add address 2001:db8:20::2/64 to pt-host in host",
                        }))
        << joined(r);
    EXPECT_EQ(r.actions[0].phase, Phase::Remove);
    EXPECT_EQ(r.actions[1].phase, Phase::Addresses);
}

TEST(Diff, RoutesAreAddedAndRemoved) {
    Observed o = converged();
    o.routes.push_back({Side::Host, 254, P("10.20.0.0/16"), plan::RouteType::Unicast,
                        A("192.169.20.1"), "pt-host", 0, plan::kRouteProtocol});
    plan::DesiredState d = sample();
    plan::RouteSpec unreachable;
    unreachable.side = Side::Router;
    unreachable.table = 1001;
    unreachable.dst = P("::/0");
    unreachable.type = plan::RouteType::Unreachable;
    unreachable.metric = plan::kVrfUnreachableMetric;
    d.routes.push_back(unreachable);
    d.routes[0].metric = 100;  // a changed metric is a different route
    DiffResult r = diff(d, o);
    EXPECT_EQ(lines(r),
              (std::vector<std::string>{
                  "delete route 10.10.0.0/16 via 192.169.20.1 dev pt-host in host",
                  "delete route 10.20.0.0/16 via 192.169.20.1 dev pt-host in host",
                  "add route 10.10.0.0/16 via 192.169.20.1 dev pt-host metric 100 in host",
                  "add route unreachable ::/0 table 1001 metric 4278198272 in router",
              }))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(o, r)).empty());
}

TEST(Diff, AnIpv6RouteWithMetricZeroIsTheKernelsMetric1024) {
    // The kernel stores an IPv6 route added with metric 0 as 1024: the host's IPv6 default
    // route of an L3VNI or L3VPN host session must not be deleted and added on every reconcile
    // (seen in the QEMU tier's SRv6 lab, where the loop ended in "a route perouter does not own
    // is in the way").
    Observed o = converged();
    plan::DesiredState d = sample();
    plan::RouteSpec v6;
    v6.side = Side::Host;
    v6.dst = P("::/0");
    v6.gateway = A("fd00:50::1");
    v6.dev = "pt-host";
    d.routes.push_back(v6);
    o.routes.push_back({Side::Host, 254, P("::/0"), plan::RouteType::Unicast, A("fd00:50::1"),
                        "pt-host", 1024, plan::kRouteProtocol});
    EXPECT_TRUE(diff(d, o).empty()) << joined(diff(d, o));
    o.routes.back().metric = 0;  // not what the kernel reports; a different route
    EXPECT_FALSE(diff(d, o).empty());
}

TEST(Diff, SysctlChangesAndOptionalOnesThatDoNotExist) {
    Observed o = converged();
    o.sysctls[{Side::Router, "net/ipv4/conf/all/forwarding"}] = "0";
    plan::DesiredState d = sample();
    d.sysctls.push_back({Side::Router, "net/ipv6/conf/all/accept_untracked_na", "1", true});
    d.sysctls.push_back({Side::Router, "net/ipv4/conf/red/rp_filter", "0", false});
    DiffResult r = diff(d, o);
    EXPECT_EQ(
        lines(r),
        (std::vector<std::string>{"set sysctl net/ipv4/conf/all/forwarding = 1 in router (was 0)"}))
        << joined(r);
    // An optional sysctl the kernel does not have (br_netfilter's without the module) is not a
    // problem: a problem would make every AddVpn report "applied with errors" (seen in the QEMU
    // guest, which does not load br_netfilter).
    EXPECT_TRUE(r.problems.empty()) << r.problems.front();
}

TEST(Diff, SysctlOfALinkCreatedLaterWaitsForIt) {
    plan::DesiredState d = with_vrf(1001);
    d.sysctls.push_back({Side::Router, "net/ipv4/conf/red/rp_filter", "0", false});
    DiffResult r = diff(d, pristine());
    auto it = std::find_if(r.actions.begin(), r.actions.end(), [](const Action& a) {
        auto* s = std::get_if<SetSysctl>(&a.op);
        return s != nullptr && s->key == "net/ipv4/conf/red/rp_filter";
    });
    ASSERT_NE(it, r.actions.end()) << joined(r);
    EXPECT_EQ(it->phase, Phase::Addresses);
}

TEST(Diff, VethWithMissingPeerIsRecreated) {
    Observed o = converged();
    // pe-e-110 ended up paired with something else in a namespace we do not see.
    ObservedLink* pe = find(o, Side::Router, "pe-e-110");
    pe->veth_peer.reset();
    pe->veth_peer_side.reset();
    std::erase_if(o.links, [](const auto& l) { return l.name == "host-e-110"; });
    DiffResult r = diff(sample(), o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "delete veth pe-e-110 in router (recreate: peer host-e-110 missing)",
                            "create veth host-e-110 in host with peer pe-e-110 in router: mtu "
                            "1450 master br-hs-110 up; peer: mtu 1450 master br-pe-110 up",
                        }))
        << joined(r);
    EXPECT_TRUE(diff(sample(), applied(o, r)).empty());
}

TEST(Diff, OnlyDifferingAttributesAreChanged) {
    Observed o = converged();
    ObservedLink* vx = find(o, Side::Router, "vni110");
    vx->bridge_port = plan::BridgePortAttrs{true, false};
    vx->up = false;
    find(o, Side::Router, "pe-e-110")->master.reset();
    DiffResult r = diff(sample(), o);
    EXPECT_EQ(lines(r),
              (std::vector<std::string>{
                  "change vxlan vni110 in router: bridge-port learning off neigh_suppress on, up",
                  "change veth pe-e-110 in router: master br-pe-110",
              }))
        << joined(r);
}

TEST(Diff, IPv6IsTurnedOffOnAPortThatHasItAndLeftAloneWhereUnknown) {
    plan::DesiredState d = sample();
    for (auto& l : d.links)
        if (l.name == "pe-e-110" || l.name == "vni110")
            l.ipv6 = plan::Ipv6::Off;
    Observed o = converged();
    find(o, Side::Router, "pe-e-110")->ipv6_off = false;
    find(o, Side::Router, "vni110")->ipv6_off.reset();  // not read: no IPv6 state
    DiffResult r = diff(d, o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{"change veth pe-e-110 in router: ipv6 off"}))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(o, r)).empty());

    // A link that must have IPv6 and lost it (born in a namespace whose default is off) gets
    // it back; one whose IPv6 is left to the kernel is not looked at.
    for (auto& l : d.links)
        if (l.name == "br-pe-110")
            l.ipv6 = plan::Ipv6::On;
    Observed off = applied(o, r);
    find(off, Side::Router, "br-pe-110")->ipv6_off = true;
    r = diff(d, off);
    EXPECT_EQ(lines(r), (std::vector<std::string>{"change bridge br-pe-110 in router: ipv6 on"}))
        << joined(r);
    EXPECT_TRUE(diff(d, applied(off, r)).empty());

    // A new port gets it in its create request's description, and nothing after.
    Observed none = converged();
    drop_link(none, Side::Router, "pe-e-110");
    drop_link(none, Side::Host, "host-e-110");
    find(none, Side::Router, "vni110")->ipv6_off = true;
    r = diff(d, none);
    ASSERT_EQ(r.actions.size(), 1u) << joined(r);
    EXPECT_NE(lines(r)[0].find("peer: mtu 1450 master br-pe-110 ipv6 off up"), std::string::npos)
        << joined(r);
    EXPECT_TRUE(diff(d, applied(none, r)).empty());
}

TEST(Diff, NicHalfMovedInIsFinished) {
    Observed o = converged();
    find(o, Side::Router, "toswitch")->group = 0;  // moved, but the group was never set
    DiffResult r = diff(sample(), o);
    EXPECT_EQ(
        lines(r),
        (std::vector<std::string>{"move underlay interface toswitch into the router namespace"}));
}

TEST(Diff, MissingRouterNamespaceIsReported) {
    Observed o;
    o.links = {seen(Side::Host, 2, "toswitch")};
    DiffResult r = diff(sample(), o);
    ASSERT_FALSE(r.problems.empty());
    EXPECT_EQ(r.problems[0], "the router namespace does not exist");
}

// --- the macvlan underlay -------------------------------------------------------------------

// The underlay of a single-NIC node: a macvlan of the host's toswitch in the router namespace.
plan::DesiredState macvlan_underlay(config::MacvlanMode mode = config::MacvlanMode::Bridge) {
    plan::DesiredState d;
    auto mv = link(Side::Router, "underlay", LinkKind::Macvlan, "underlay");
    mv.macvlan = plan::MacvlanAttrs{"toswitch", mode};
    mv.mac = MacAddress::parse("02:00:00:00:0b:0a");
    d.links = {mv};
    d.external_links = {{Side::Host, "toswitch", "underlay"}};
    d.addresses = {{Side::Router, "lo", P("100.65.0.0/32"), "underlay"},
                   {Side::Router, "underlay", P("192.168.11.10/24"), "underlay"}};
    return d;
}

TEST(Diff, MacvlanUnderlayIsCreatedOnTheHostParentAndAdopted) {
    Observed o = pristine();
    DiffResult r = diff(macvlan_underlay(), o);
    EXPECT_TRUE(r.problems.empty()) << r.problems.front();
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "add address 100.65.0.0/32 to lo in router",
                            "create macvlan underlay in router: link host:toswitch mode bridge "
                            "address 02:00:00:00:0b:0a up",
                            "add address 192.168.11.10/24 to underlay in router",
                        }))
        << joined(r);
    Observed after = applied(o, r);
    // The host keeps its NIC; a second run (a restarted perouterd) has nothing to do.
    ASSERT_NE(find(after, Side::Host, "toswitch"), nullptr);
    EXPECT_TRUE(diff(macvlan_underlay(), after).empty()) << joined(diff(macvlan_underlay(), after));
}

TEST(Diff, MacvlanModeOrParentChangeRecreatesIt) {
    Observed o = applied(pristine(), diff(macvlan_underlay(), pristine()));
    DiffResult r = diff(macvlan_underlay(config::MacvlanMode::Vepa), o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{
                            "delete macvlan underlay in router (recreate: mode bridge -> vepa)",
                            "create macvlan underlay in router: link host:toswitch mode vepa "
                            "address 02:00:00:00:0b:0a up",
                            "add address 192.168.11.10/24 to underlay in router",
                        }))
        << joined(r);

    // The parent was replaced by another link of the same name (a new ifindex).
    find(o, Side::Host, "toswitch")->ifindex = 77;
    r = diff(macvlan_underlay(), o);
    ASSERT_FALSE(r.actions.empty());
    EXPECT_EQ(lines(r).front(), "delete macvlan underlay in router (recreate: parent -> toswitch)");
    EXPECT_TRUE(diff(macvlan_underlay(), applied(o, r)).empty());
}

TEST(Diff, ALeasedAddressIsTheDhcpClientsAndStaticOnesStayOurs) {
    // dhcp = true with a static IPv6 address: the lease (IPv4) is dhcpcd's, never removed.
    plan::DesiredState d = macvlan_underlay();
    d.addresses.back().prefix = P("2001:db8:11::10/64");
    d.dhcp = plan::DhcpClientSpec{"underlay"};
    Observed o = applied(pristine(), diff(d, pristine()));
    o.addresses.push_back({Side::Router, "underlay", P("192.168.11.57/24")});
    DiffResult r = diff(d, o);
    EXPECT_TRUE(r.empty()) << joined(r);
    // A stale IPv6 address on that link is still ours to remove.
    o.addresses.push_back({Side::Router, "underlay", P("2001:db8:11::99/64")});
    EXPECT_EQ(
        lines(diff(d, o)),
        (std::vector<std::string>{"delete address 2001:db8:11::99/64 from underlay in router"}))
        << joined(diff(d, o));
    // Without dhcp (static addresses configured again) the old lease goes.
    o.addresses.pop_back();
    d.dhcp.reset();
    EXPECT_EQ(lines(diff(d, o)),
              (std::vector<std::string>{"delete address 192.168.11.57/24 from underlay in router"}))
        << joined(diff(d, o));
    // Only the client's link: an IPv4 address elsewhere of ours is still removed.
    d.dhcp = plan::DhcpClientSpec{"other"};
    EXPECT_EQ(lines(diff(d, o)),
              (std::vector<std::string>{"delete address 192.168.11.57/24 from underlay in router"}))
        << joined(diff(d, o));
}

TEST(Diff, MacvlanWithoutItsParentWaitsAndIsAProblem) {
    Observed o = pristine();
    std::erase_if(o.links, [](const auto& l) { return l.name == "toswitch"; });
    DiffResult r = diff(macvlan_underlay(), o);
    EXPECT_EQ(lines(r), (std::vector<std::string>{"add address 100.65.0.0/32 to lo in router"}))
        << joined(r);
    EXPECT_EQ(
        r.problems,
        (std::vector<std::string>{"external link 'toswitch' not found in the host namespace"}));
}

TEST(Diff, ForeignMacvlanWithTheNameIsLeftAloneAndOursIsRemovedWhenNotDesired) {
    Observed o = pristine();
    auto foreign = seen(Side::Router, 70, "underlay", KernelKind::Macvlan);
    foreign.macvlan_mode = config::MacvlanMode::Bridge;
    foreign.parent_ifindex = 2;
    o.links.push_back(foreign);
    DiffResult r = diff(macvlan_underlay(), o);
    for (const auto& line : lines(r))
        EXPECT_EQ(line.find("underlay in router:"), std::string::npos) << line;
    ASSERT_FALSE(r.problems.empty());
    EXPECT_EQ(r.problems.front(),
              "link 'underlay' in the router namespace exists and is not ours; leaving it alone");

    // Ours (group 4244) goes when the configuration no longer has it.
    Observed ours = applied(pristine(), diff(macvlan_underlay(), pristine()));
    plan::DesiredState none;
    none.addresses = {{Side::Router, "lo", P("100.65.0.0/32"), "underlay"}};
    r = diff(none, ours);
    EXPECT_EQ(lines(r),
              (std::vector<std::string>{"delete macvlan underlay in router (not desired)"}))
        << joined(r);
}

}  // namespace
}  // namespace perouter::reconcile
