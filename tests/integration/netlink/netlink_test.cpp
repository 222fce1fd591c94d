// observe -> diff -> execute against the real kernel, in scratch namespaces:
//   nlt-<pid>-host  stands in for the host (Namespaces' host side), never the real one;
//   nlt-<pid>-pe    the router namespace, created and deleted by Namespaces;
//   nlt-<pid>-tor   holds the far end of the veth that plays the underlay NIC `toswitch`.
// Results are checked with iproute2's JSON output, independently of our own observer.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "netlink/executor.hpp"
#include "netlink/namespaces.hpp"
#include "netlink/observe.hpp"
#include "plan/slice.hpp"
#include "reconcile/diff.hpp"

namespace perouter::netlink {
namespace {

using json = nlohmann::json;
using plan::LinkKind;
using plan::LinkSpec;
using plan::Side;
using reconcile::Phase;

constexpr uint32_t kNicMtu = 9000;
constexpr uint32_t kVethMtu = kNicMtu - 50;

IpPrefix P(const char* s) {
    return *IpPrefix::parse(s);
}
IpAddress A(const char* s) {
    return *IpAddress::parse(s);
}

std::string output_of(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr)
        return out;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        out.append(buf, n);
    pclose(p);
    return out;
}

int run(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str());
}

/// Whether `ip` answers a ping from namespace `ns` within 30 s: a link just moved or brought up
/// may need a moment (carrier, ARP) before the first echo gets through, so one lost ping says
/// nothing; no answer for 30 s does.
bool ping_answers(const std::string& ns, const std::string& ip) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
        if (run(fmt::format("ip netns exec {} ping -c1 -W1 {}", ns, ip)) == 0)
            return true;
        std::this_thread::sleep_for(
            std::chrono::milliseconds(100));  // "unreachable" returns at once
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

json json_of(const std::string& cmd) {
    std::string text = output_of(cmd + " 2>/dev/null");
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json::array() : j;
}

// ifname -> `ip -d -j link` object of every link in a namespace.
std::map<std::string, json> links_in(const std::string& ns) {
    std::map<std::string, json> out;
    for (auto& l : json_of("ip -n " + ns + " -d -j link show"))
        out[l["ifname"]] = l;
    return out;
}

std::map<std::string, int> ifindexes(const std::string& ns) {
    std::map<std::string, int> out;
    for (auto& [name, l] : links_in(ns))
        out[name] = l["ifindex"].get<int>();
    return out;
}

bool has_flag(const json& link, const char* flag) {
    for (const auto& f : link.value("flags", json::array()))
        if (f == flag)
            return true;
    return false;
}

// "192.168.11.3/24"-style strings of the global addresses on one link.
std::vector<std::string> addresses_of(const std::string& ns, const std::string& dev) {
    std::vector<std::string> out;
    for (auto& l : json_of(fmt::format("ip -n {} -j addr show dev {}", ns, dev)))
        for (auto& a : l["addr_info"])
            if (a["scope"] != "link")
                out.push_back(
                    fmt::format("{}/{}", a["local"].get<std::string>(), a["prefixlen"].get<int>()));
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

LinkSpec spec(Side side, std::string name, LinkKind kind, std::string owner) {
    LinkSpec s;
    s.side = side;
    s.name = std::move(name);
    s.kind = kind;
    s.owner = std::move(owner);
    return s;
}

void add_veth(plan::DesiredState& d, LinkSpec a, LinkSpec b) {
    a.veth_peer = b.name;
    a.veth_peer_side = b.side;
    b.veth_peer = a.name;
    b.veth_peer_side = a.side;
    d.links.push_back(std::move(a));
    d.links.push_back(std::move(b));
}

// The underlay, a pure L2VNI 110 with a managed host bridge, the passthrough veth and a host
// route, as the planner would produce them.
plan::DesiredState sample() {
    plan::DesiredState d;
    d.underlay_nics = {"toswitch"};
    d.sysctls = {{Side::Router, "net/ipv4/conf/all/forwarding", "1", false},
                 {Side::Router, "net/ipv6/conf/all/forwarding", "1", false},
                 {Side::Router, "net/ipv4/conf/all/arp_accept", "1", false},
                 {Side::Router, "net/ipv4/conf/default/arp_accept", "1", false},
                 {Side::Router, "net/ipv6/conf/all/accept_untracked_na", "1", true}};

    auto br = spec(Side::Router, "br-pe-110", LinkKind::Bridge, "l2red");
    auto vx = spec(Side::Router, "vni110", LinkKind::Vxlan, "l2red");
    vx.vxlan = plan::VxlanAttrs{110, A("100.65.0.0"), 4789, false};
    vx.master = "br-pe-110";
    vx.bridge_port = plan::BridgePortAttrs{false, true};
    vx.addr_gen_mode_none = true;
    auto hs = spec(Side::Host, "br-hs-110", LinkKind::Bridge, "l2red");
    auto host_e = spec(Side::Host, "host-e-110", LinkKind::Veth, "l2red");
    host_e.master = "br-hs-110";
    host_e.mtu = kVethMtu;
    auto pe_e = spec(Side::Router, "pe-e-110", LinkKind::Veth, "l2red");
    pe_e.master = "br-pe-110";
    pe_e.mtu = kVethMtu;
    d.links = {br, vx, hs};
    add_veth(d, host_e, pe_e);
    add_veth(d, spec(Side::Host, "pt-host", LinkKind::Veth, "passthrough"),
             spec(Side::Router, "pt-ns", LinkKind::Veth, "passthrough"));

    d.addresses = {{Side::Router, "lo", P("100.65.0.0/32"), "underlay"},
                   {Side::Router, "pt-ns", P("192.169.20.1/24"), "passthrough"},
                   {Side::Router, "pt-ns", P("2001:db8:20::1/64"), "passthrough"},
                   {Side::Host, "pt-host", P("192.169.20.2/24"), "passthrough"},
                   {Side::Host, "pt-host", P("2001:db8:20::2/64"), "passthrough"}};
    plan::RouteSpec host_route;
    host_route.side = Side::Host;
    host_route.dst = P("10.10.0.0/16");
    host_route.gateway = A("192.169.20.1");
    host_route.dev = "pt-host";
    host_route.owner = "passthrough";
    plan::RouteSpec unreachable;
    unreachable.side = Side::Router;
    unreachable.table = 1001;
    unreachable.dst = P("0.0.0.0/0");
    unreachable.type = plan::RouteType::Unreachable;
    unreachable.metric = plan::kVrfUnreachableMetric;
    unreachable.owner = "red";
    plan::RouteSpec unreachable6 = unreachable;
    unreachable6.dst = P("::/0");
    d.routes = {host_route, unreachable, unreachable6};
    return d;
}

class NetlinkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root to create network namespaces";
        std::string prefix = fmt::format("nlt-{}", getpid());
        host_ = prefix + "-host";
        pe_ = prefix + "-pe";
        tor_ = prefix + "-tor";
        ctx_.state_dir = fmt::format("/tmp/{}-state", prefix);
        cleanup();
        for (const auto& cmd : {
                 fmt::format("ip netns add {}", host_),
                 fmt::format("ip netns add {}", tor_),
                 fmt::format("ip -n {} link set lo up", host_),
                 fmt::format("ip -n {} link set lo up", tor_),
                 fmt::format("ip -n {} link add toswitch mtu {} type veth peer name tor0 mtu {} "
                             "netns {}",
                             host_, kNicMtu, kNicMtu, tor_),
                 fmt::format("ip -n {} addr add 192.168.11.3/24 dev toswitch", host_),
                 fmt::format("ip -n {} addr add 2001:db8:11::3/64 dev toswitch nodad", host_),
                 fmt::format("ip -n {} link set toswitch up", host_),
                 fmt::format("ip -n {} route add default via 192.168.11.2", host_),
                 fmt::format("ip -n {} addr add 192.168.11.2/24 dev tor0", tor_),
                 fmt::format("ip -n {} link set tor0 up", tor_),
             })
            ASSERT_EQ(run(cmd), 0) << cmd;
        auto ns = Namespaces::open(pe_, host_);
        ASSERT_TRUE(ns.ok()) << ns.error().message;
        ns_.emplace(std::move(*ns));
        auto created = ns_->create_router();
        ASSERT_TRUE(created.ok()) << created.error().message;
    }

    void TearDown() override { cleanup(); }

    void cleanup() {
        ns_.reset();
        for (const auto& n : {pe_, host_, tor_})
            if (!n.empty())
                run("ip netns del " + n);
        std::error_code ec;
        std::filesystem::remove_all(ctx_.state_dir, ec);
    }

    // What the daemon does: per phase, observe again, diff, and run that phase's actions.
    void apply(const plan::DesiredState& d) {
        for (Phase phase : reconcile::kPhases) {
            auto obs = observe(*ns_, d);
            ASSERT_TRUE(obs.ok()) << obs.error().message;
            auto r = reconcile::diff(d, *obs);
            for (const auto& a : r.actions) {
                if (a.phase != phase)
                    continue;
                auto s = execute(*ns_, a, ctx_);
                ASSERT_TRUE(s.ok()) << reconcile::describe(a) << " -> " << s.error().message;
            }
        }
    }

    reconcile::DiffResult fresh_diff(const plan::DesiredState& d) {
        auto obs = observe(*ns_, d);
        EXPECT_TRUE(obs.ok()) << obs.error().message;
        return obs.ok() ? reconcile::diff(d, *obs) : reconcile::DiffResult{};
    }

    static std::string text(const reconcile::DiffResult& r) {
        std::string s;
        for (const auto& a : r.actions)
            s += reconcile::describe(a) + "\n";
        for (const auto& p : r.problems)
            s += "problem: " + p + "\n";
        return s;
    }

    std::string host_, pe_, tor_;
    ExecContext ctx_;
    std::optional<Namespaces> ns_;
};

TEST_F(NetlinkTest, CreateRouterIsIdempotentAndSetsLoUp) {
    auto again = ns_->create_router();
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(ns_->router_exists());
    auto lo = links_in(pe_)["lo"];
    EXPECT_TRUE(has_flag(lo, "UP")) << lo.dump();
    EXPECT_NE(output_of("ip netns list").find(pe_), std::string::npos);
}

TEST_F(NetlinkTest, ApplySetsEveryAttributeAndConverges) {
    plan::DesiredState d = sample();
    ASSERT_NO_FATAL_FAILURE(apply(d));

    auto after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    EXPECT_TRUE(after.problems.empty()) << text(after);

    auto pe = links_in(pe_);
    auto nic = pe["toswitch"];
    EXPECT_EQ(nic["group"], "4242");
    EXPECT_TRUE(has_flag(nic, "UP"));
    EXPECT_EQ(nic["mtu"], kNicMtu);
    EXPECT_TRUE(contains(addresses_of(pe_, "toswitch"), "192.168.11.3/24"));
    EXPECT_TRUE(contains(addresses_of(pe_, "toswitch"), "2001:db8:11::3/64"));
    EXPECT_TRUE(contains(addresses_of(pe_, "lo"), "100.65.0.0/32"));
    EXPECT_TRUE(has_flag(pe["lo"], "UP"));

    auto br = pe["br-pe-110"];
    EXPECT_EQ(br["linkinfo"]["info_kind"], "bridge");
    EXPECT_TRUE(has_flag(br, "UP"));
    // No STP: no forward delay either, so the kernel does not report each port 15 s later.
    EXPECT_EQ(br["linkinfo"]["info_data"]["forward_delay"], 0) << br.dump();
    EXPECT_EQ(br["linkinfo"]["info_data"]["stp_state"], 0) << br.dump();

    auto vx = pe["vni110"];
    EXPECT_EQ(vx["linkinfo"]["info_kind"], "vxlan");
    EXPECT_EQ(vx["linkinfo"]["info_data"]["id"], 110);
    EXPECT_EQ(vx["linkinfo"]["info_data"]["local"], "100.65.0.0");
    EXPECT_EQ(vx["linkinfo"]["info_data"]["port"], 4789);
    EXPECT_EQ(vx["linkinfo"]["info_data"]["learning"], false);
    EXPECT_EQ(vx["master"], "br-pe-110");
    EXPECT_EQ(vx["inet6_addr_gen_mode"], "none");
    EXPECT_EQ(vx["ifalias"], "perouter");
    EXPECT_TRUE(has_flag(vx, "UP"));

    std::map<std::string, json> ports;
    for (auto& p : json_of("bridge -n " + pe_ + " -d -j link show"))
        ports[p["ifname"]] = p;
    EXPECT_EQ(ports["vni110"]["learning"], false) << ports["vni110"].dump();
    EXPECT_EQ(ports["vni110"]["neigh_suppress"], true) << ports["vni110"].dump();

    auto pe_e = pe["pe-e-110"];
    EXPECT_EQ(pe_e["linkinfo"]["info_kind"], "veth");
    EXPECT_EQ(pe_e["mtu"], kVethMtu);
    EXPECT_EQ(pe_e["master"], "br-pe-110");
    EXPECT_TRUE(has_flag(pe_e, "UP"));
    auto pt_ns = pe["pt-ns"];
    EXPECT_TRUE(has_flag(pt_ns, "UP"));
    EXPECT_TRUE(contains(addresses_of(pe_, "pt-ns"), "192.169.20.1/24"));
    EXPECT_TRUE(contains(addresses_of(pe_, "pt-ns"), "2001:db8:20::1/64"));

    auto host = links_in(host_);
    EXPECT_EQ(host.count("toswitch"), 0u);
    auto hs = host["br-hs-110"];
    EXPECT_EQ(hs["linkinfo"]["info_kind"], "bridge");
    EXPECT_EQ(hs["linkinfo"]["info_data"]["forward_delay"], 0) << hs.dump();
    EXPECT_EQ(hs["ifalias"], "perouter");
    EXPECT_TRUE(has_flag(hs, "UP"));
    auto host_e = host["host-e-110"];
    EXPECT_EQ(host_e["linkinfo"]["info_kind"], "veth");
    EXPECT_EQ(host_e["ifalias"], "perouter");
    EXPECT_EQ(host_e["mtu"], kVethMtu);
    EXPECT_EQ(host_e["master"], "br-hs-110");
    EXPECT_TRUE(has_flag(host_e, "UP"));
    auto pt_host = host["pt-host"];
    EXPECT_EQ(pt_host["ifalias"], "perouter");
    EXPECT_TRUE(has_flag(pt_host, "UP"));
    EXPECT_TRUE(contains(addresses_of(host_, "pt-host"), "192.169.20.2/24"));
    EXPECT_TRUE(contains(addresses_of(host_, "pt-host"), "2001:db8:20::2/64"));

    auto host_routes = json_of("ip -n " + host_ + " -j route show proto 210");
    ASSERT_EQ(host_routes.size(), 1u) << host_routes.dump();
    EXPECT_EQ(host_routes[0]["dst"], "10.10.0.0/16");
    EXPECT_EQ(host_routes[0]["gateway"], "192.169.20.1");
    EXPECT_EQ(host_routes[0]["dev"], "pt-host");
    auto unreachable4 = json_of("ip -n " + pe_ + " -j route show table 1001 proto 210");
    ASSERT_EQ(unreachable4.size(), 1u) << unreachable4.dump();
    EXPECT_EQ(unreachable4[0]["type"], "unreachable");
    EXPECT_EQ(unreachable4[0]["metric"], plan::kVrfUnreachableMetric);
    auto unreachable6 = json_of("ip -n " + pe_ + " -6 -j route show table 1001 proto 210");
    ASSERT_EQ(unreachable6.size(), 1u) << unreachable6.dump();
    EXPECT_EQ(unreachable6[0]["type"], "unreachable");

    for (const char* key : {"net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding",
                            "net.ipv4.conf.all.arp_accept", "net.ipv4.conf.default.arp_accept"})
        EXPECT_EQ(output_of(fmt::format("ip netns exec {} sysctl -n {}", pe_, key)), "1\n") << key;
    // The host namespace's sysctls are not ours.
    EXPECT_EQ(
        output_of(fmt::format("ip netns exec {} sysctl -n net.ipv4.conf.all.forwarding", host_)),
        "0\n");

    // The saved underlay state, for the way back.
    auto saved = json::parse(
        output_of("cat " + (ctx_.state_dir / "underlay/toswitch.json").string()), nullptr, false);
    ASSERT_FALSE(saved.is_discarded());
    EXPECT_EQ(saved["mtu"], kNicMtu);
    EXPECT_EQ(saved["routes"].size(), 1u) << saved.dump();
    EXPECT_EQ(saved["routes"][0]["gateway"], "192.168.11.2");

    // The NIC works from the router namespace, and the passthrough veth carries traffic.
    EXPECT_TRUE(ping_answers(pe_, "192.168.11.2"));
    EXPECT_TRUE(ping_answers(host_, "192.169.20.1"));

    // Applying again changes nothing: no link is recreated.
    auto before_pe = ifindexes(pe_);
    auto before_host = ifindexes(host_);
    ASSERT_NO_FATAL_FAILURE(apply(d));
    EXPECT_EQ(ifindexes(pe_), before_pe);
    EXPECT_EQ(ifindexes(host_), before_host);
}

// One line with everything the diff reads of a link, to compare two observers.
std::string summary(const reconcile::ObservedLink& l) {
    return fmt::format(
        "{} {} {} kind={} master={} mtu={} up={} group={} alias={} agm={} ipv6off={} vxlan={} "
        "port={} peer={}",
        plan::to_string(l.side), l.name, l.ifindex, plan::kernel_name(l.kind, l.other_kind),
        l.master.value_or("-"), l.mtu, l.up, l.group, l.alias, l.addr_gen_mode_none,
        l.ipv6_off ? (*l.ipv6_off ? "1" : "0") : "-",
        l.vxlan ? fmt::format("{}/{}/{}/{}", l.vxlan->vni, l.vxlan->local.str(), l.vxlan->port,
                              l.vxlan->learning)
                : "-",
        l.bridge_port ? fmt::format("{}/{}", l.bridge_port->learning, l.bridge_port->neigh_suppress)
                      : "-",
        l.veth_peer ? fmt::format("{}@{}", *l.veth_peer, plan::to_string(*l.veth_peer_side)) : "-");
}

// The scoped observer (one request per named link) sees the named links exactly as the
// observer of whole namespaces does: every attribute the diff reads, their addresses, and the
// routes asked for; names that do not exist are left out.
TEST_F(NetlinkTest, ObservingNamedLinksMatchesTheWholeObservation) {
    plan::DesiredState d = sample();
    ASSERT_NO_FATAL_FAILURE(apply(d));
    auto all = observe(*ns_, d);
    ASSERT_TRUE(all.ok()) << all.error().message;

    LinkNames names{{Side::Router, "br-pe-110"}, {Side::Router, "vni110"},
                    {Side::Router, "pe-e-110"},  {Side::Host, "host-e-110"},
                    {Side::Host, "br-hs-110"},   {Side::Router, "pt-ns"},
                    {Side::Host, "pt-host"},     {Side::Router, "lo"},
                    {Side::Router, "vni999"},    {Side::Host, "pe-e-110"}};
    auto some = observe_links(*ns_, names, {d.routes[0]});
    ASSERT_TRUE(some.ok()) << some.error().message;
    EXPECT_TRUE(some->router_ns_exists);

    std::vector<std::string> expected, got;
    for (const auto& l : all->links)
        if (names.contains({l.side, l.name}))
            expected.push_back(summary(l));
    for (const auto& l : some->links)
        got.push_back(summary(l));
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected);
    EXPECT_EQ(got.size(), 8u);  // vni999 and a host pe-e-110 do not exist

    auto addr = [](const reconcile::ObservedAddress& a) {
        return fmt::format("{} {} {}", plan::to_string(a.side), a.link, a.prefix.str());
    };
    expected.clear();
    got.clear();
    for (const auto& a : all->addresses)
        if (names.contains({a.side, a.link}))
            expected.push_back(addr(a));
    for (const auto& a : some->addresses)
        got.push_back(addr(a));
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected);
    EXPECT_NE(std::find(got.begin(), got.end(), "router lo 100.65.0.0/32"), got.end());

    // The host route uses pt-host (named); the VRF table's unreachable routes are not asked
    // for and use no named link.
    ASSERT_EQ(some->routes.size(), 1u);
    EXPECT_EQ(some->routes[0].dst, P("10.10.0.0/16"));
    EXPECT_EQ(some->routes[0].dev, "pt-host");

    // One owner's links, observed alone, need nothing: its slice is in place. (lo is observed
    // for its up flag; its VTEP addresses are the underlay's, left out as the daemon does.)
    auto l2red = observe_links(*ns_,
                               {{Side::Router, "br-pe-110"},
                                {Side::Router, "vni110"},
                                {Side::Router, "pe-e-110"},
                                {Side::Host, "host-e-110"},
                                {Side::Host, "br-hs-110"},
                                {Side::Router, "lo"}},
                               {});
    ASSERT_TRUE(l2red.ok()) << l2red.error().message;
    std::erase_if(l2red->addresses, [](const auto& a) { return a.link == "lo"; });
    auto r = reconcile::diff(plan::slice(d, {"l2red"}), *l2red);
    EXPECT_TRUE(r.empty()) << text(r);
}

TEST_F(NetlinkTest, ChangingOneAttributeChangesOnlyThat) {
    plan::DesiredState d = sample();
    ASSERT_NO_FATAL_FAILURE(apply(d));
    auto before_pe = ifindexes(pe_);
    auto before_host = ifindexes(host_);

    for (auto& l : d.links)
        if (l.name == "host-e-110" || l.name == "pe-e-110")
            l.mtu = kVethMtu - 100;
    auto r = fresh_diff(d);
    ASSERT_EQ(r.actions.size(), 2u) << text(r);
    for (const auto& a : r.actions) {
        auto* m = std::get_if<reconcile::ModifyLink>(&a.op);
        ASSERT_NE(m, nullptr) << text(r);
        EXPECT_TRUE(m->mtu && !m->master && !m->up && !m->mac && !m->bridge_port && !m->alias &&
                    !m->addr_gen_mode_none)
            << text(r);
        auto s = execute(*ns_, a, ctx_);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    auto after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    EXPECT_EQ(links_in(pe_)["pe-e-110"]["mtu"], kVethMtu - 100);
    EXPECT_EQ(links_in(host_)["host-e-110"]["mtu"], kVethMtu - 100);
    EXPECT_EQ(ifindexes(pe_), before_pe);
    EXPECT_EQ(ifindexes(host_), before_host);

    // A new VXLAN port cannot be set in place: only vni110 is recreated, and enslaved again
    // with its port flags.
    d.links[1].vxlan->port = 4790;
    r = fresh_diff(d);
    EXPECT_EQ(text(r),
              "delete vxlan vni110 in router (recreate: dstport 4789 -> 4790)\n"
              "create vxlan vni110 in router: id 110 local 100.65.0.0 dstport 4790 nolearning "
              "master br-pe-110 bridge-port learning off neigh_suppress on addrgenmode none up\n");
    for (const auto& a : r.actions) {
        auto s = execute(*ns_, a, ctx_);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    auto pe = links_in(pe_);
    EXPECT_EQ(pe["vni110"]["linkinfo"]["info_data"]["port"], 4790);
    EXPECT_EQ(pe["vni110"]["master"], "br-pe-110");
    std::map<std::string, json> ports;
    for (auto& p : json_of("bridge -n " + pe_ + " -d -j link show"))
        ports[p["ifname"]] = p;
    EXPECT_EQ(ports["vni110"]["neigh_suppress"], true);
    EXPECT_EQ(ports["vni110"]["learning"], false);
    auto now = ifindexes(pe_);
    EXPECT_NE(now["vni110"], before_pe["vni110"]);
    now.erase("vni110");
    before_pe.erase("vni110");
    EXPECT_EQ(now, before_pe);
}

// Bridge ports come up with IPv6 off (LinkSpec::ipv6, as the planner sets it), an adopted
// port that has IPv6 gets it turned off in place, and a port without any IPv6 state (an MTU
// below IPv6's minimum) is created all the same.
TEST_F(NetlinkTest, BridgePortsComeUpWithoutIPv6) {
    plan::DesiredState d = sample();
    auto ports = {"vni110", "pe-e-110", "host-e-110"};
    for (auto& l : d.links)
        if (std::find(ports.begin(), ports.end(), l.name) != ports.end())
            l.ipv6 = plan::Ipv6::Off;
    ASSERT_NO_FATAL_FAILURE(apply(d));
    auto sysctl = [](const std::string& ns, const std::string& link) {
        return output_of(
            fmt::format("ip netns exec {} cat /proc/sys/net/ipv6/conf/{}/disable_ipv6", ns, link));
    };
    EXPECT_EQ(sysctl(pe_, "vni110"), "1\n");
    EXPECT_EQ(sysctl(pe_, "pe-e-110"), "1\n");
    EXPECT_EQ(sysctl(host_, "host-e-110"), "1\n");
    EXPECT_EQ(sysctl(pe_, "br-pe-110"), "0\n");
    EXPECT_EQ(sysctl(host_, "br-hs-110"), "0\n");
    EXPECT_EQ(output_of("ip -n " + pe_ + " -6 route show table all dev pe-e-110"), "");
    auto after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);

    auto before = ifindexes(pe_);
    output_of("ip netns exec " + pe_ + " sysctl -qw net.ipv6.conf.pe-e-110.disable_ipv6=0");
    auto r = fresh_diff(d);
    EXPECT_EQ(text(r), "change veth pe-e-110 in router: ipv6 off\n");
    for (const auto& a : r.actions) {
        auto s = execute(*ns_, a, ctx_);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    EXPECT_EQ(sysctl(pe_, "pe-e-110"), "1\n");
    EXPECT_EQ(ifindexes(pe_), before);

    output_of("ip -n " + host_ + " link del host-e-110");
    for (auto& l : d.links)
        if (l.name == "host-e-110" || l.name == "pe-e-110")
            l.mtu = 1200;
    ASSERT_NO_FATAL_FAILURE(apply(d));
    after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    auto pe = links_in(pe_);
    EXPECT_EQ(pe["pe-e-110"]["mtu"], 1200);
    EXPECT_TRUE(has_flag(pe["pe-e-110"], "UP"));
    EXPECT_EQ(pe["pe-e-110"]["master"], "br-pe-110");
}

// In a router namespace whose new links come without IPv6 (net.ipv6.conf.default.disable_ipv6
// = 1, as the planner sets it), the links that must have it get it before they come up, the
// ports never have it (so no IPv6 route ever names them), and one that lost it gets it back.
TEST_F(NetlinkTest, LinksGetIPv6BackWhereTheNamespaceDefaultIsOff) {
    ASSERT_EQ(run("ip netns exec " + pe_ + " sysctl -qw net.ipv6.conf.default.disable_ipv6=1"), 0);
    plan::DesiredState d = sample();
    for (auto& l : d.links) {
        if (l.name == "vni110" || l.name == "pe-e-110" || l.name == "host-e-110")
            l.ipv6 = plan::Ipv6::Off;
        else if (l.side == plan::Side::Router)
            l.ipv6 = plan::Ipv6::On;
    }
    ASSERT_NO_FATAL_FAILURE(apply(d));
    auto sysctl = [](const std::string& ns, const std::string& link) {
        return output_of(
            fmt::format("ip netns exec {} cat /proc/sys/net/ipv6/conf/{}/disable_ipv6", ns, link));
    };
    EXPECT_EQ(sysctl(pe_, "br-pe-110"), "0\n");
    EXPECT_EQ(sysctl(pe_, "vni110"), "1\n");
    EXPECT_EQ(sysctl(pe_, "pe-e-110"), "1\n");
    EXPECT_EQ(output_of("ip -n " + pe_ + " -6 route show table all dev pe-e-110"), "");
    EXPECT_EQ(output_of("ip -n " + pe_ + " -6 route show table all dev vni110"), "");
    EXPECT_NE(output_of("ip -n " + pe_ + " -6 route show table all dev br-pe-110"), "");
    EXPECT_TRUE(fresh_diff(d).empty()) << text(fresh_diff(d));

    output_of("ip netns exec " + pe_ + " sysctl -qw net.ipv6.conf.br-pe-110.disable_ipv6=1");
    auto r = fresh_diff(d);
    EXPECT_EQ(text(r), "change bridge br-pe-110 in router: ipv6 on\n");
    for (const auto& a : r.actions) {
        auto s = execute(*ns_, a, ctx_);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    EXPECT_EQ(sysctl(pe_, "br-pe-110"), "0\n");
    EXPECT_TRUE(fresh_diff(d).empty()) << text(fresh_diff(d));
}

TEST_F(NetlinkTest, ForeignObjectsSurviveEverythingAndTeardownRestoresTheUnderlay) {
    // A host bridge named like a router object, a host link named like ours without our alias,
    // and a veth pair in the router namespace that is not ours.
    ASSERT_EQ(run(fmt::format("ip -n {} link add br-pe-999 type bridge", host_)), 0);
    ASSERT_EQ(run(fmt::format("ip -n {} link add br-hs-777 type bridge", host_)), 0);
    ASSERT_EQ(run(fmt::format("ip -n {} link add dummyish type veth peer name dummyish-p", pe_)),
              0);
    ASSERT_EQ(run(fmt::format("ip -n {} addr add 10.99.0.1/24 dev dummyish", pe_)), 0);

    plan::DesiredState d = sample();
    ASSERT_NO_FATAL_FAILURE(apply(d));
    EXPECT_TRUE(fresh_diff(d).empty());

    // perouterd restarts while the NIC is in the router namespace: a new Namespaces object
    // finds the saved state file and uses it on the way back.
    ns_.reset();
    auto reopened = Namespaces::open(pe_, host_);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    ns_.emplace(std::move(*reopened));
    ASSERT_TRUE(ns_->router_exists());

    plan::DesiredState none;
    ASSERT_NO_FATAL_FAILURE(apply(none));
    auto after = fresh_diff(none);
    EXPECT_TRUE(after.empty()) << text(after);

    auto host = links_in(host_);
    ASSERT_EQ(host.count("toswitch"), 1u);
    auto nic = host["toswitch"];
    EXPECT_EQ(nic["group"], "default");
    EXPECT_EQ(nic["mtu"], kNicMtu);
    EXPECT_TRUE(has_flag(nic, "UP"));
    EXPECT_TRUE(contains(addresses_of(host_, "toswitch"), "192.168.11.3/24"));
    EXPECT_TRUE(contains(addresses_of(host_, "toswitch"), "2001:db8:11::3/64"));
    auto routes = json_of("ip -n " + host_ + " -j route show default");
    ASSERT_EQ(routes.size(), 1u) << routes.dump();
    EXPECT_EQ(routes[0]["gateway"], "192.168.11.2");
    EXPECT_EQ(routes[0]["dev"], "toswitch");
    EXPECT_TRUE(ping_answers(host_, "192.168.11.2"));
    EXPECT_FALSE(std::filesystem::exists(ctx_.state_dir / "underlay/toswitch.json"));

    for (const char* ours : {"br-hs-110", "host-e-110", "pt-host"})
        EXPECT_EQ(host.count(ours), 0u) << ours;
    EXPECT_EQ(host.count("br-pe-999"), 1u);
    EXPECT_EQ(host.count("br-hs-777"), 1u);
    EXPECT_EQ(json_of("ip -n " + host_ + " -j route show proto 210").size(), 0u);

    auto pe = links_in(pe_);
    std::vector<std::string> left;
    for (const auto& [name, l] : pe)
        left.push_back(name);
    EXPECT_EQ(left, (std::vector<std::string>{"dummyish", "dummyish-p", "lo"}));
    EXPECT_EQ(addresses_of(pe_, "lo"), (std::vector<std::string>{"127.0.0.1/8", "::1/128"}));
    EXPECT_TRUE(contains(addresses_of(pe_, "dummyish"), "10.99.0.1/24"));
    EXPECT_EQ(json_of("ip -n " + pe_ + " -j route show table all proto 210").size(), 0u);

    auto deleted = ns_->delete_router();
    ASSERT_TRUE(deleted.ok()) << deleted.error().message;
    EXPECT_FALSE(std::filesystem::exists("/run/netns/" + pe_));
    EXPECT_FALSE(ns_->router_exists());
    EXPECT_TRUE(ns_->delete_router().ok());  // already gone
}

TEST_F(NetlinkTest, LinkAddressesOfOneLink) {
    auto addrs = link_addresses(*ns_, Side::Host, "toswitch");
    ASSERT_TRUE(addrs.ok()) << addrs.error().message;
    EXPECT_EQ(*addrs, (std::vector<IpPrefix>{P("192.168.11.3/24"), P("2001:db8:11::3/64")}));
    auto missing = link_addresses(*ns_, Side::Router, "toswitch");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ENODEV);
}

TEST_F(NetlinkTest, NamespaceDeletedBehindOurBackIsNoticed) {
    ASSERT_TRUE(ns_->router_exists());
    ASSERT_EQ(run("ip netns del " + pe_), 0);
    EXPECT_FALSE(ns_->router_exists());
    auto obs = observe(*ns_, sample());
    ASSERT_TRUE(obs.ok()) << obs.error().message;
    EXPECT_FALSE(obs->router_ns_exists);
    ASSERT_TRUE(ns_->create_router().ok());
    EXPECT_TRUE(ns_->router_exists());
}

TEST_F(NetlinkTest, MissingNicIsReportedAndNothingBreaks) {
    plan::DesiredState d = sample();
    d.underlay_nics = {"nosuchnic"};
    auto r = fresh_diff(d);
    ASSERT_FALSE(r.problems.empty());
    EXPECT_EQ(r.problems[0],
              "underlay interface 'nosuchnic' not found in the host or router namespace");
}

TEST_F(NetlinkTest, ErrorsNameTheAction) {
    reconcile::Action a{
        Phase::Links, "red",
        reconcile::ModifyLink{
            Side::Router, "pe-e-404", LinkKind::Veth, {}, 1400u, {}, {}, {}, false, false, {}}};
    auto s = execute(*ns_, a, ctx_);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "change veth 'pe-e-404': look up link 'pe-e-404': No such device");
    EXPECT_EQ(s.error().code, ENODEV);
}

// Many deletions in one request: every link marked and deleted together, ownership checked
// per link first, and nothing outside the batch deleted even when it sits in the group.
TEST_F(NetlinkTest, DeleteLinksInOneRequest) {
    const auto has = [](const std::string& ns, const std::string& name) {
        return run(fmt::format("ip -n {} link show dev {}", ns, name)) == 0;
    };
    for (const auto& cmd : {
             fmt::format("ip -n {} link add br-pe-71 type bridge", pe_),
             fmt::format("ip -n {} link add br-pe-72 type bridge", pe_),
             fmt::format("ip -n {} link add vni71 type vxlan id 71 dstport 4789", pe_),
             fmt::format("ip -n {} link add vni72 type vxlan id 72 dstport 4789", pe_),
             fmt::format("ip -n {} link add pe-e-71 type veth peer name host-e-71 netns {}", pe_,
                         host_),
             fmt::format("ip -n {} link set host-e-71 alias perouter", host_),
             fmt::format("ip -n {} link add other0 type bridge", pe_),
             fmt::format("ip -n {} link add host-e-73 type veth peer name host-e-74", host_),
             fmt::format("ip -n {} link set host-e-73 alias perouter", host_),
             fmt::format("ip -n {} link set host-e-74 alias perouter", host_),
             fmt::format("ip -n {} link add host-e-75 type bridge", host_),
             // Someone else's link in the group we mark with.
             fmt::format("ip -n {} link add foreign0 group {} type bridge", host_,
                         plan::kDeletingGroup),
         })
        ASSERT_EQ(run(cmd), 0) << cmd;

    // Router side: five links (one of them already gone) in one request; the veth's host end
    // goes with it.
    std::vector<reconcile::DeleteLink> router;
    for (const char* n : {"br-pe-71", "vni71", "pe-e-71", "vni72", "br-pe-72", "vni404"})
        router.push_back({Side::Router, n, plan::KernelKind::None, "", "not desired"});
    auto deleted = delete_links(*ns_, router);
    EXPECT_TRUE(deleted.one_request);
    auto& results = deleted.results;
    ASSERT_EQ(results.size(), router.size());
    for (size_t i = 0; i < results.size(); ++i)
        EXPECT_TRUE(results[i].ok()) << router[i].name << ": " << results[i].error().message;
    for (const char* n : {"br-pe-71", "vni71", "pe-e-71", "vni72", "br-pe-72"})
        EXPECT_FALSE(has(pe_, n)) << n;
    EXPECT_FALSE(has(host_, "host-e-71"));
    EXPECT_TRUE(has(pe_, "other0"));

    // Host side: a link without our alias is refused and kept; the group holds a foreign link,
    // so the rest go one by one and the foreign link stays.
    std::vector<reconcile::DeleteLink> host{
        {Side::Host, "host-e-73", plan::KernelKind::Veth, "", "not desired"},
        {Side::Host, "host-e-75", plan::KernelKind::Bridge, "", "not desired"}};
    deleted = delete_links(*ns_, host);
    EXPECT_FALSE(deleted.one_request);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].ok()) << results[0].error().message;
    ASSERT_FALSE(results[1].ok());
    EXPECT_EQ(results[1].error().code, EPERM);
    EXPECT_EQ(results[1].error().message,
              "delete bridge 'host-e-75': not ours (its alias is not 'perouter')");
    EXPECT_FALSE(has(host_, "host-e-73"));
    EXPECT_FALSE(has(host_, "host-e-74"));
    EXPECT_TRUE(has(host_, "host-e-75"));
    EXPECT_TRUE(has(host_, "foreign0"));
}

// What one RTM_NEWLINK notification (AF_UNSPEC) says about a link.
struct LinkEvent {
    std::string name;
    bool up = false;
    int master = 0;
    std::string alias;
    uint32_t group = 0;
    uint32_t mtu = 0;
    std::optional<uint8_t> addr_gen_mode;
    std::optional<bool> port_learning;
};

// The link notifications of one namespace, read without waiting: what a request changes is
// queued here before the kernel acknowledges the request.
class LinkEvents {
  public:
    explicit LinkEvents(const Namespaces& ns, Side side) {
        auto guard = ns.enter(side);
        if (!guard.ok())
            return;
        fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        int size = 8 << 20;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
        sockaddr_nl addr{};
        addr.nl_family = AF_NETLINK;
        addr.nl_groups = RTMGRP_LINK;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~LinkEvents() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }

    // Every notification queued so far about `name`, oldest first.
    std::vector<LinkEvent> drain(const std::string& name) {
        std::vector<char> buf(1 << 16);
        for (;;) {
            ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0)
                break;
            auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
            for (int len = static_cast<int>(n); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
                if (h->nlmsg_type != RTM_NEWLINK || ifi->ifi_family != AF_UNSPEC)
                    continue;
                LinkEvent e = parse(ifi, static_cast<int>(IFLA_PAYLOAD(h)));
                seen_[e.name].push_back(std::move(e));
            }
        }
        return seen_[name];
    }

  private:
    static LinkEvent parse(ifinfomsg* ifi, int len) {
        LinkEvent e;
        e.up = (ifi->ifi_flags & IFF_UP) != 0;
        for (rtattr* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            const auto* data = static_cast<const char*>(RTA_DATA(a));
            switch (a->rta_type & NLA_TYPE_MASK) {
                case IFLA_IFNAME:
                    e.name = data;
                    break;
                case IFLA_MASTER:
                    e.master = *reinterpret_cast<const int*>(data);
                    break;
                case IFLA_IFALIAS:
                    e.alias = std::string(data, strnlen(data, RTA_PAYLOAD(a)));
                    break;
                case IFLA_GROUP:
                    e.group = *reinterpret_cast<const uint32_t*>(data);
                    break;
                case IFLA_MTU:
                    e.mtu = *reinterpret_cast<const uint32_t*>(data);
                    break;
                case IFLA_AF_SPEC:
                    for_nested(a, [&](rtattr* af) {
                        if ((af->rta_type & NLA_TYPE_MASK) == AF_INET6)
                            for_nested(af, [&](rtattr* x) {
                                if ((x->rta_type & NLA_TYPE_MASK) == IFLA_INET6_ADDR_GEN_MODE)
                                    e.addr_gen_mode = *static_cast<uint8_t*>(RTA_DATA(x));
                            });
                    });
                    break;
                case IFLA_LINKINFO:
                    for_nested(a, [&](rtattr* info) {
                        if ((info->rta_type & NLA_TYPE_MASK) == IFLA_INFO_SLAVE_DATA)
                            for_nested(info, [&](rtattr* x) {
                                if ((x->rta_type & NLA_TYPE_MASK) == IFLA_BRPORT_LEARNING)
                                    e.port_learning = *static_cast<uint8_t*>(RTA_DATA(x)) != 0;
                            });
                    });
                    break;
            }
        }
        return e;
    }
    template <class F>
    static void for_nested(rtattr* a, F f) {
        int len = static_cast<int>(RTA_PAYLOAD(a));
        for (rtattr* x = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(x, len); x = RTA_NEXT(x, len))
            f(x);
    }

    int fd_ = -1;
    std::map<std::string, std::vector<LinkEvent>> seen_;
};

// Where a new link's settings go (netlink/ops.hpp): into the create request what the kernel
// applies there (IFF_UP, IFLA_MASTER, IFLA_GROUP, IFLA_MTU), the rest (alias, addrgenmode,
// bridge-port flags) in one change after it, and `up` after addrgenmode none. Seen in the
// notifications the kernel sends while it acts on each request.
TEST_F(NetlinkTest, ANewLinkGetsWhatItCanInItsCreateRequest) {
    LinkEvents router(*ns_, Side::Router);
    LinkEvents host(*ns_, Side::Host);
    ASSERT_TRUE(router.ok() && host.ok());
    const auto create = [&](const LinkSpec& spec, std::optional<LinkSpec> peer = std::nullopt) {
        auto st = execute(
            *ns_, reconcile::Action{Phase::Links, spec.owner, reconcile::CreateLink{spec, peer}},
            ctx_);
        ASSERT_TRUE(st.ok()) << st.error().message;
    };
    auto br = spec(Side::Router, "br-pe-120", LinkKind::Bridge, "l2");
    auto hs = spec(Side::Host, "br-hs-120", LinkKind::Bridge, "l2");
    auto vx = spec(Side::Router, "vni120", LinkKind::Vxlan, "l2");
    vx.vxlan = plan::VxlanAttrs{120, A("100.65.0.0"), 4789, false};
    vx.master = br.name;
    vx.bridge_port = plan::BridgePortAttrs{false, true};
    vx.addr_gen_mode_none = true;
    auto host_e = spec(Side::Host, "host-e-120", LinkKind::Veth, "l2");
    host_e.master = hs.name;
    host_e.mtu = kVethMtu;
    host_e.veth_peer = "pe-e-120";
    host_e.veth_peer_side = Side::Router;
    auto pe_e = spec(Side::Router, "pe-e-120", LinkKind::Veth, "l2");
    pe_e.master = br.name;
    pe_e.mtu = kVethMtu;
    pe_e.veth_peer = host_e.name;
    pe_e.veth_peer_side = Side::Host;
    ASSERT_NO_FATAL_FAILURE(create(br));
    ASSERT_NO_FATAL_FAILURE(create(hs));
    ASSERT_NO_FATAL_FAILURE(create(vx));
    ASSERT_NO_FATAL_FAILURE(create(host_e, pe_e));
    const int br_index = ifindexes(pe_)[br.name];
    const int hs_index = ifindexes(host_)[hs.name];

    // A bridge: up and in its group from its first notification.
    auto ev = host.drain(hs.name);
    ASSERT_FALSE(ev.empty());
    EXPECT_TRUE(ev.front().up);
    EXPECT_EQ(ev.front().group, plan::kCreatedGroup);
    EXPECT_TRUE(ev.back().up);
    EXPECT_EQ(ev.back().alias, plan::kLinkAlias);

    // The veth end the request is about: up, group and MTU from its first notification, its
    // master from the same request (the alias comes after).
    ev = host.drain(host_e.name);
    ASSERT_FALSE(ev.empty());
    EXPECT_TRUE(ev.front().up);
    EXPECT_EQ(ev.front().group, plan::kCreatedGroup);
    EXPECT_EQ(ev.front().mtu, kVethMtu);
    auto joined = std::find_if(ev.begin(), ev.end(),
                               [&](const LinkEvent& e) { return e.master == hs_index; });
    ASSERT_NE(joined, ev.end());
    EXPECT_EQ(joined->alias, "") << "the master came with the alias, not the create request";
    EXPECT_EQ(ev.back().alias, plan::kLinkAlias);

    // The peer end joins its master in the change after the create request (the kernel takes
    // neither its master nor up in the create request: veth_open needs both ends).
    ev = router.drain(pe_e.name);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.front().mtu, kVethMtu);
    EXPECT_TRUE(ev.back().up);
    EXPECT_EQ(ev.back().master, br_index);
    EXPECT_EQ(ev.back().alias, plan::kLinkAlias);

    // The VXLAN device joins its bridge in the create request and comes up only once its
    // addrgenmode is none and its port flags are set, so it never gets a link-local address.
    ev = router.drain(vx.name);
    ASSERT_FALSE(ev.empty());
    EXPECT_FALSE(ev.front().up);
    joined = std::find_if(ev.begin(), ev.end(),
                          [&](const LinkEvent& e) { return e.master == br_index; });
    ASSERT_NE(joined, ev.end());
    EXPECT_EQ(joined->alias, "");
    auto first_up = std::find_if(ev.begin(), ev.end(), [](const LinkEvent& e) { return e.up; });
    ASSERT_NE(first_up, ev.end());
    EXPECT_EQ(first_up->addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
    EXPECT_EQ(first_up->alias, plan::kLinkAlias);
    EXPECT_EQ(first_up->master, br_index);
    auto vx_link = links_in(pe_)[vx.name];
    EXPECT_EQ(vx_link["linkinfo"]["info_slave_data"]["learning"], false) << vx_link.dump();
    EXPECT_EQ(vx_link["linkinfo"]["info_slave_data"]["neigh_suppress"], true) << vx_link.dump();
    EXPECT_EQ(output_of(fmt::format("ip -n {} -6 addr show dev {}", pe_, vx.name)), "");

    // What the kernel has is what the diff wants.
    plan::DesiredState d;
    d.links = {br, vx, hs, host_e, pe_e};
    auto after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
}

TEST_F(NetlinkTest, Vrf) {
    auto supported = probe_vrf_support();
    ASSERT_TRUE(supported.ok()) << supported.error().message;
    if (!*supported) {
        // What the daemon reports on such a kernel, before the rest is skipped.
        auto vrf = spec(Side::Router, "red", LinkKind::Vrf, "red");
        vrf.vrf_table = 1001;
        auto s = execute(
            *ns_, reconcile::Action{Phase::Links, "red", reconcile::CreateLink{vrf, {}}}, ctx_);
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().message, "create vrf 'red' (table 1001): Operation not supported");
        GTEST_SKIP() << "kernel lacks VRF; runs in the QEMU system tier (tests/system)";
    }

    plan::DesiredState d = sample();
    auto vrf = spec(Side::Router, "red", LinkKind::Vrf, "red");
    vrf.vrf_table = 1001;
    d.links.insert(d.links.begin(), vrf);
    for (auto& l : d.links)
        if (l.name == "br-pe-110" || l.name == "pt-ns")
            l.master = "red";
    ASSERT_NO_FATAL_FAILURE(apply(d));
    auto after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    auto pe = links_in(pe_);
    EXPECT_EQ(pe["red"]["linkinfo"]["info_kind"], "vrf");
    EXPECT_EQ(pe["red"]["linkinfo"]["info_data"]["table"], 1001);
    EXPECT_EQ(pe["br-pe-110"]["master"], "red");
    EXPECT_EQ(pe["pt-ns"]["master"], "red");
    // Enslaving dropped the IPv6 address; the Addresses phase put it back.
    EXPECT_TRUE(contains(addresses_of(pe_, "pt-ns"), "2001:db8:20::1/64"));

    // A new table recreates the VRF and enslaves its ports again.
    d.links[0].vrf_table = 1002;
    ASSERT_NO_FATAL_FAILURE(apply(d));
    after = fresh_diff(d);
    EXPECT_TRUE(after.empty()) << text(after);
    pe = links_in(pe_);
    EXPECT_EQ(pe["red"]["linkinfo"]["info_data"]["table"], 1002);
    EXPECT_EQ(pe["br-pe-110"]["master"], "red");

    ASSERT_NO_FATAL_FAILURE(apply(plan::DesiredState{}));
    EXPECT_EQ(links_in(pe_).count("red"), 0u);
}

}  // namespace
}  // namespace perouter::netlink
