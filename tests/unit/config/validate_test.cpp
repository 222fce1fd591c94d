// Every validation rule with its exact message and position.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace perouter::config {
namespace {

using test::errors_alone;
using test::errors_with_base;
using test::ok_with_base;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- [node] ----------------------------------------------------------------------------------

TEST(ValidateNode, IndexAndInterfaceAreExclusive) {
    EXPECT_THAT(
        errors_alone("[node]\nindex = 1\nindex_from_interface = \"eth0\"\n"),
        ElementsAre("c.toml:3:24: 'index' and 'index_from_interface' are mutually exclusive"));
}

TEST(ValidateNode, NeedsIndexOrInterface) {
    EXPECT_THAT(errors_alone("[node]\n"),
                ElementsAre("c.toml:1:1: [node] needs 'index' or 'index_from_interface'"));
}

TEST(ValidateNode, IndexCidrOnlyWithInterface) {
    EXPECT_THAT(
        errors_alone("[node]\nindex = 1\nindex_cidr = \"10.0.0.0/8\"\n"),
        ElementsAre("c.toml:3:14: 'index_cidr' is only allowed with 'index_from_interface'"));
    test::ok({{"c.toml", "[node]\nindex_from_interface = \"br0\"\nindex_cidr = \"10.0.0.0/8\"\n"}});
}

TEST(ValidateNode, InterfaceNameRules) {
    EXPECT_THAT(errors_alone("[node]\nindex_from_interface = \"0eth\"\n"),
                ElementsAre("c.toml:2:24: invalid 'index_from_interface' '0eth': must start with a "
                            "letter"));
    EXPECT_THAT(errors_alone("[node]\nindex_from_interface = \"br0\"\nindex_cidr = \"10.0.0.0\"\n"),
                ElementsAre("c.toml:3:14: 'index_cidr' must be a cidr (ADDR/LEN), got '10.0.0.0'"));
}

TEST(ValidateNode, UnderlayNeedsNode) {
    std::string text = test::kBase;
    text.replace(0, std::string("[node]\nindex = 0\n").size(), "");
    EXPECT_THAT(errors_alone(text),
                ElementsAre("c.toml:2:1: missing [node]: set 'index' or 'index_from_interface'"));
}

TEST(ValidateNode, IndexMustFitThePools) {
    EXPECT_THAT(errors_alone(R"([node]
index = 300
[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
[passthrough]
host_session = { asn = 64514, host_asn = 2, local_cidr = { ipv4 = "192.169.0.0/24" } }
)"),
                ElementsAre("c.toml:3:1: 'router_id_cidr' 10.0.0.0/24 has no address for node "
                            "index 300",
                            "c.toml:6:25: 'tunnel_endpoint_cidrs' 100.65.0.0/24 has no address "
                            "for node index 300",
                            "c.toml:11:67: 'local_cidr.ipv4' 192.169.0.0/24 has no address for "
                            "node index 300"));
    // Host number 254 + 1 is still inside a /24 (the router id of node 254 is .255).
    std::string text = test::kBase;
    text.replace(text.find("index = 0"), 9, "index = 254");
    test::ok({{"c.toml", text}});
}

// ---- [underlay] ------------------------------------------------------------------------------

TEST(ValidateUnderlay, RequiredKeys) {
    EXPECT_THAT(errors_alone("[node]\nindex = 0\n[underlay]\n"),
                ElementsAre("c.toml:3:1: missing 'asn' in [underlay]",
                            "c.toml:3:1: missing 'interfaces' in [underlay] (or "
                            "[underlay.macvlan], a macvlan child of a NIC the host keeps)",
                            "c.toml:3:1: [underlay] needs at least one [[underlay.neighbors]]"));
}

TEST(ValidateUnderlay, Interfaces) {
    EXPECT_THAT(errors_with_base("[underlay]\ninterfaces = []\n"),
                ElementsAre("b.toml:2:14: 'interfaces' must name at least one interface"));
    EXPECT_THAT(
        errors_with_base("[underlay]\ninterfaces = [\"eth0\", \"averyveryverylongname\", \"eth "
                         "1\", \"eth0\"]\n"),
        ElementsAre("b.toml:2:23: invalid interface 'averyveryverylongname': longer than 15 "
                    "characters",
                    "b.toml:2:48: invalid interface 'eth 1': may only contain letters, digits, "
                    "'.', '_' and '-'",
                    "b.toml:2:57: duplicate interface 'eth0'"));
}

// A single-NIC node: [underlay.macvlan] instead of interfaces.
std::string macvlan_config(const std::string& macvlan, const std::string& extra = "") {
    return "[node]\nindex = 0\n[underlay]\nasn = 64514\ntunnel_endpoint_cidrs = "
           "[\"100.65.0.0/24\"]\n[underlay.macvlan]\n" +
           macvlan + "[[underlay.neighbors]]\nasn = 64512\naddress = \"192.168.11.2\"\n" + extra;
}

TEST(ValidateUnderlay, Macvlan) {
    Config c =
        test::ok({{"c.toml", macvlan_config("parent = \"eth0\"\naddresses = "
                                            "[\"192.168.11.10/24\", \"2001:db8:11::10/64\"]\n")}});
    ASSERT_TRUE(c.underlay && c.underlay->macvlan);
    EXPECT_TRUE(c.underlay->interfaces.empty());
    const MacvlanUnderlay& m = *c.underlay->macvlan;
    EXPECT_EQ(m.parent, "eth0");
    EXPECT_EQ(m.name, "underlay");
    EXPECT_EQ(m.mode, MacvlanMode::Bridge);
    EXPECT_FALSE(m.mac.has_value());
    ASSERT_EQ(m.addresses.size(), 2u);
    EXPECT_EQ(m.addresses[0].str(), "192.168.11.10/24");
    EXPECT_EQ(c.underlay->fabric_links(), std::vector<std::string>{"underlay"});

    c = test::ok({{"c.toml", macvlan_config("parent = \"eth0\"\nname = \"uplink\"\nmode = "
                                            "\"private\"\nmac = \"02:00:00:00:0b:0a\"\n"
                                            "addresses = [\"192.168.11.10/24\"]\n")}});
    EXPECT_EQ(c.underlay->macvlan->name, "uplink");
    EXPECT_EQ(c.underlay->macvlan->mode, MacvlanMode::Private);
    EXPECT_EQ(c.underlay->macvlan->mac->str(), "02:00:00:00:0b:0a");
}

TEST(ValidateUnderlay, MacvlanDhcp) {
    // DHCP alone, or with a static IPv6 address.
    auto c = test::ok({{"c.toml", macvlan_config("parent = \"eth0\"\ndhcp = true\n")}});
    ASSERT_TRUE(c.underlay->macvlan);
    EXPECT_TRUE(c.underlay->macvlan->dhcp);
    EXPECT_TRUE(c.underlay->macvlan->addresses.empty());
    c = test::ok({{"c.toml", macvlan_config("parent = \"eth0\"\ndhcp = true\naddresses = "
                                            "[\"2001:db8::10/64\"]\n")}});
    EXPECT_TRUE(c.underlay->macvlan->dhcp);
    ASSERT_EQ(c.underlay->macvlan->addresses.size(), 1u);
    // The IPv4 address is the lease's; dhcp = false needs addresses as before.
    EXPECT_THAT(errors_alone(macvlan_config("parent = \"eth0\"\ndhcp = true\naddresses = "
                                            "[\"192.168.11.10/24\", \"2001:db8::10/64\"]\n")),
                ElementsAre("c.toml:9:13: 'addresses' has the IPv4 address 192.168.11.10/24 "
                            "while dhcp = true leases the IPv4 address: drop one of them"));
    EXPECT_THAT(errors_alone(macvlan_config("parent = \"eth0\"\ndhcp = false\n")),
                ElementsAre("c.toml:6:1: missing 'addresses' in [underlay.macvlan] (or dhcp = "
                            "true for an IPv4 address leased by DHCP)"));
    EXPECT_THAT(errors_alone(macvlan_config("parent = \"eth0\"\ndhcp = \"yes\"\n")),
                Contains(HasSubstr("c.toml:8:8: 'dhcp' must be a boolean")));
}

TEST(ValidateUnderlay, MacvlanErrors) {
    EXPECT_THAT(errors_alone(macvlan_config("name = \"vni7\"\nmode = \"passthru\"\nmac = "
                                            "\"01:00:5e:00:00:01\"\n")),
                ElementsAre("c.toml:6:1: missing 'parent' in [underlay.macvlan]",
                            "c.toml:6:1: missing 'addresses' in [underlay.macvlan] (or dhcp = "
                            "true for an IPv4 address leased by DHCP)",
                            "c.toml:7:8: invalid 'name' 'vni7': names 'vni<number>' are reserved "
                            "for perouter's vxlan links",
                            "c.toml:8:8: 'mode' must be \"bridge\", \"vepa\" or \"private\", "
                            "got 'passthru'",
                            "c.toml:9:7: 'mac' 01:00:5e:00:00:01 is a multicast address"));
    EXPECT_THAT(
        errors_alone(macvlan_config(
            "parent = \"eth0\"\naddresses = [\"192.168.11.0/24\", \"127.0.0.2/8\", "
            "\"10.0.0.1\", \"2001:db8::1/64\", \"2001:db8::2/64\", \"fe80::1/64\"]\n")),
        ElementsAre("c.toml:8:13: 'addresses' must have 1 or 2 entries (at most one per family)",
                    "c.toml:8:14: 'addresses' entry 192.168.11.0/24 is the network address of "
                    "its prefix, not an address on it",
                    "c.toml:8:33: 'addresses' entry 127.0.0.2/8 is a loopback address",
                    "c.toml:8:48: 'addresses' entry must be an address with its prefix length "
                    "(ADDR/LEN), got '10.0.0.1'",
                    "c.toml:8:78: 'addresses' has more than one ipv6 address",
                    "c.toml:8:96: 'addresses' entry fe80::1/64 is link-local: the kernel gives the "
                    "macvlan one by itself"));
    // Exactly one of interfaces / macvlan; an unnumbered neighbor names the macvlan.
    EXPECT_THAT(errors_with_base("[underlay.macvlan]\nparent = \"eth1\"\naddresses = "
                                 "[\"192.168.11.10/24\"]\n"),
                ElementsAre("b.toml:1:1: 'interfaces' and 'macvlan' are mutually exclusive"));
    EXPECT_THAT(
        errors_alone(macvlan_config("parent = \"eth0\"\naddresses = [\"192.168.11.10/24\"]\n",
                                    "[[underlay.neighbors]]\ntype = \"external\"\ninterface = "
                                    "\"eth0\"\n[[l3vni]]\nname = \"red\"\nvrf = \"underlay\"\n"
                                    "vni = 100\n")),
        ElementsAre("c.toml:14:13: 'interface' eth0 is not one of the underlay's links: the "
                    "macvlan's 'name' (at c.toml:6:1)",
                    "c.toml:17:7: vrf 'underlay' has the name of an underlay interface (also at "
                    "c.toml:6:1)"));
}

TEST(ValidateUnderlay, InterfacesMustNotBePerouterLinks) {
    EXPECT_THAT(
        errors_with_base(
            "[underlay]\ninterfaces = [\"lo\", \"vni100\", \"br-pe-1\", \"pe-e-1\", "
            "\"host-e-1\", \"br-hs-1\", \"pt-ns\", \"pt-host\", \"vnix\", \"eth1\"]\n"),
        ElementsAre(
            "b.toml:2:15: invalid interface 'lo': is the loopback device",
            "b.toml:2:21: invalid interface 'vni100': names 'vni<number>' are reserved for "
            "perouter's vxlan links",
            "b.toml:2:31: invalid interface 'br-pe-1': names starting with 'br-pe-' are reserved "
            "for perouter's links",
            "b.toml:2:42: invalid interface 'pe-e-1': names starting with 'pe-e-' are reserved "
            "for perouter's links",
            "b.toml:2:52: invalid interface 'host-e-1': names starting with 'host-e-' are "
            "reserved for perouter's links",
            "b.toml:2:64: invalid interface 'br-hs-1': names starting with 'br-hs-' are reserved "
            "for perouter's links",
            "b.toml:2:75: invalid interface 'pt-ns': names starting with 'pt-' are reserved for "
            "perouter's links",
            "b.toml:2:84: invalid interface 'pt-host': names starting with 'pt-' are reserved for "
            "perouter's links"));
}

TEST(ValidateUnderlay, PoolsMustBeUnicast) {
    EXPECT_THAT(
        errors_with_base("[underlay]\ntunnel_endpoint_cidrs = [\"224.0.0.0/24\", \"::1/128\"]\n"),
        ElementsAre("b.toml:2:26: 'tunnel_endpoint_cidrs' entry 224.0.0.0/24 overlaps the "
                    "multicast range 224.0.0.0/4",
                    "b.toml:2:42: 'tunnel_endpoint_cidrs' entry ::1/128 overlaps the loopback "
                    "address ::1/128"));
    EXPECT_THAT(errors_with_base("[underlay]\ntunnel_endpoint_cidrs = [\"0.0.0.0/0\"]\n"),
                ElementsAre("b.toml:2:26: 'tunnel_endpoint_cidrs' entry 0.0.0.0/0 overlaps the "
                            "'this network' range 0.0.0.0/8"));
    EXPECT_THAT(errors_with_base("[underlay]\ntunnel_endpoint_cidrs = [\"ff00::/8\"]\n"),
                ElementsAre("b.toml:2:26: 'tunnel_endpoint_cidrs' entry ff00::/8 overlaps the "
                            "multicast range ff00::/8"));
    EXPECT_THAT(errors_with_base("[underlay]\nrouter_id_cidr = \"127.0.0.0/24\"\n"),
                ElementsAre("b.toml:2:18: 'router_id_cidr' 127.0.0.0/24 overlaps the loopback "
                            "range 127.0.0.0/8"));
    EXPECT_THAT(errors_with_base("[underlay]\nrouter_id_cidr = \"0.0.0.0/0\"\n"),
                ElementsAre("b.toml:2:18: 'router_id_cidr' 0.0.0.0/0 overlaps the 'this "
                            "network' range 0.0.0.0/8"));
    test::ok_with_base(
        "[underlay]\ntunnel_endpoint_cidrs = [\"100.65.0.0/24\", \"2001:db8::/64\"]\n"
        "router_id_cidr = \"10.1.0.0/16\"\n");
}

TEST(ValidateUnderlay, RouterIdCidrMustBeIpv4) {
    EXPECT_THAT(errors_with_base("[underlay]\nrouter_id_cidr = \"fd00::/64\"\n"),
                ElementsAre("b.toml:2:18: 'router_id_cidr' must be an ipv4 cidr, got 'fd00::/64'"));
}

TEST(ValidateUnderlay, TunnelEndpointCidrs) {
    EXPECT_THAT(errors_with_base("[underlay]\ntunnel_endpoint_cidrs = []\n"),
                ElementsAre("b.toml:2:25: 'tunnel_endpoint_cidrs' must have 1 or 2 entries "
                            "(at most one per family)"));
    EXPECT_THAT(
        errors_with_base(
            "[underlay]\ntunnel_endpoint_cidrs = [\"10.0.0.0/24\", \"10.1.0.0/24\", \"x\"]\n"),
        ElementsAre("b.toml:2:25: 'tunnel_endpoint_cidrs' must have 1 or 2 entries "
                    "(at most one per family)",
                    "b.toml:2:41: 'tunnel_endpoint_cidrs' has more than one ipv4 cidr",
                    "b.toml:2:56: 'tunnel_endpoint_cidrs' entry must be a cidr (ADDR/LEN), "
                    "got 'x'"));
    test::ok_with_base("[underlay]\ntunnel_endpoint_cidrs = [\"fd00::/64\", \"10.1.0.0/24\"]\n");
}

TEST(ValidateUnderlay, TunnelEndpointRequiredWithVnis) {
    std::string text = test::kBase;
    text.replace(text.find("tunnel_endpoint_cidrs"),
                 std::string("tunnel_endpoint_cidrs = [\"100.65.0.0/24\"]").size(), "");
    EXPECT_THAT(test::errors({{"a.toml", text}, {"b.toml", "[[l2vni]]\nname = \"x\"\nvni = 5\n"}}),
                ElementsAre("a.toml:4:1: underlay tunnel endpoint configuration is required when "
                            "L3VNIs/L2VNIs are defined"));
}

TEST(ValidateUnderlay, GracefulRestartTimers) {
    EXPECT_THAT(errors_with_base("[underlay.graceful_restart]\nrestart_time_seconds = "
                                 "0\nstale_path_time_seconds = 4096\n"),
                ElementsAre("b.toml:2:24: 'restart_time_seconds' must be 1..4095, got 0",
                            "b.toml:3:27: 'stale_path_time_seconds' must be 1..4095, got 4096"));
}

// ---- [[underlay.neighbors]] ------------------------------------------------------------------

std::string neighbor(const std::string& body) {
    return "[underlay]\n[[underlay.neighbors]]\n" + body;
}

TEST(ValidateNeighbor, NeedsAtLeastOne) {
    EXPECT_THAT(errors_with_base("[underlay]\nneighbors = []\n"),
                ElementsAre("b.toml:2:13: [underlay] needs at least one [[underlay.neighbors]]"));
}

TEST(ValidateNeighbor, AtMost128) {
    std::string text = "[underlay]\n";
    for (int i = 0; i < 129; ++i)
        text += "[[underlay.neighbors]]\nasn = 1\naddress = \"10.1." + std::to_string(i / 200) +
                "." + std::to_string(i % 200 + 1) + "\"\n";
    auto errs = errors_with_base(text);
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_EQ(errs[0], "b.toml:2:1: too many neighbors: 129 (at most 128)");
}

TEST(ValidateNeighbor, AddressRequiredValidAndUnique) {
    EXPECT_THAT(errors_with_base(neighbor("asn = 1\n")),
                ElementsAre("b.toml:2:1: [[underlay.neighbors]] needs one of 'address', "
                            "'interface' or 'listen_range'"));
    EXPECT_THAT(errors_with_base(neighbor("asn = 1\naddress = \"10.0.0.300\"\n")),
                ElementsAre("b.toml:4:11: 'address' must be an ip address, got '10.0.0.300'"));
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\naddress = \"10.9.0.1\"\n[[underlay.neighbors]]\ntype = "
                                  "\"internal\"\naddress = \"10.9.0.1\"\n")),
        ElementsAre("b.toml:7:11: duplicate neighbor address 10.9.0.1 (also at b.toml:4:11)"));
}

TEST(ValidateNeighbor, UnnumberedOverAnUnderlayInterface) {
    const Config c = ok_with_base(neighbor("type = \"external\"\ninterface = \"eth0\"\n"));
    ASSERT_EQ(c.underlay->neighbors.size(), 1u);  // the drop-in's array replaces the base's
    EXPECT_EQ(c.underlay->neighbors[0].kind, PeerKind::Interface);
    EXPECT_EQ(c.underlay->neighbors[0].interface, "eth0");
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\ninterface = \"eth1\"\n[[underlay.neighbors]]\n"
                                  "asn = 1\ninterface = \"eth0\"\n[[underlay.neighbors]]\nasn = 2\n"
                                  "interface = \"eth0\"\naddress = \"10.1.1.1\"\n")),
        ElementsAre("b.toml:4:13: 'interface' eth1 is not one of the underlay's 'interfaces' (at "
                    "a.toml:6:14)",
                    "b.toml:10:13: 'address' and 'interface' are mutually exclusive"));
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\ninterface = \"eth0\"\n[[underlay.neighbors]]\n"
                                  "asn = 2\ninterface = \"eth0\"\n")),
        ElementsAre("b.toml:7:13: duplicate neighbor interface eth0 (also at b.toml:4:13)"));
}

TEST(ValidateNeighbor, ListenRanges) {
    const Config c =
        ok_with_base(neighbor("type = \"internal\"\nlisten_range = \"192.168.12.0/24\"\n"
                              "route_reflector_client = true\n"));
    EXPECT_EQ(c.underlay->neighbors[0].kind, PeerKind::ListenRange);
    EXPECT_EQ(c.underlay->neighbors[0].listen_range->str(), "192.168.12.0/24");
    EXPECT_THAT(
        errors_with_base(neighbor(
            "asn = 1\nlisten_range = \"192.168.12.1/24\"\n[[underlay.neighbors]]\nasn = 1\n"
            "listen_range = \"fe80::/64\"\n[[underlay.neighbors]]\nasn = 1\n"
            "listen_range = \"10.0.0.0/8\"\nport = 1179\n[[underlay.neighbors]]\nasn = 1\n"
            "listen_range = \"10.1.0.0/16\"\n")),
        ElementsAre(
            "b.toml:4:16: 'listen_range' 192.168.12.1/24 has host bits set (the network is "
            "192.168.12.0/24)",
            "b.toml:7:16: 'listen_range' fe80::/64 is link-local: a range of link-local peers "
            "has no interface",
            "b.toml:11:8: 'port' cannot be used with 'listen_range': dynamic neighbors connect to "
            "this node",
            "b.toml:14:16: 'listen_range' 10.1.0.0/16 overlaps 10.0.0.0/8 (at b.toml:10:16)"));
}

TEST(ValidateNeighbor, AddressFamiliesAndRouteReflection) {
    const Config c =
        ok_with_base(neighbor("type = \"internal\"\naddress = \"10.1.1.1\"\n"
                              "address_families = [\"ipv6_unicast\", \"l2vpn_evpn\"]\n"
                              "route_reflector_client = true\n[underlay.route_reflector]\n"
                              "cluster_id = \"192.0.2.7\"\n"));
    EXPECT_THAT(c.underlay->neighbors[0].address_families,
                ElementsAre(AddressFamily::Ipv6Unicast, AddressFamily::L2vpnEvpn));
    EXPECT_EQ(c.underlay->route_reflector->cluster_id.str(), "192.0.2.7");
    EXPECT_THAT(errors_with_base(neighbor(
                    "asn = 64512\naddress = \"10.1.1.1\"\n"
                    "address_families = [\"ipv4_unicast\", \"ipv4_vpn\", \"ipv4_unicast\"]\n"
                    "route_reflector_client = true\n[underlay.route_reflector]\n"
                    "cluster_id = \"10.0.0.9\"\n")),
                ElementsAre("b.toml:5:37: unknown address family 'ipv4_vpn' (expected "
                            "\"ipv4_unicast\", \"ipv6_unicast\" or \"l2vpn_evpn\")",
                            "b.toml:5:49: duplicate address family 'ipv4_unicast'",
                            "b.toml:6:26: 'route_reflector_client' needs an iBGP neighbor (type "
                            "\"internal\" or the underlay's own asn)",
                            "b.toml:8:14: 'cluster_id' 10.0.0.9 is inside 'router_id_cidr' "
                            "10.0.0.0/24"));
}

TEST(ValidateNeighbor, AddressMustNotBeUnspecified) {
    EXPECT_THAT(errors_with_base(neighbor("asn = 1\naddress = \"::\"\n[[underlay.neighbors]]\n"
                                          "asn = 2\naddress = \"0.0.0.0\"\n")),
                ElementsAre("b.toml:4:11: 'address' must not be ::",
                            "b.toml:7:11: 'address' must not be 0.0.0.0"));
}

TEST(ValidateNeighbor, AddressMustBeAUnicastPeer) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"224.0.0.5", "is a multicast address"},
        {"239.1.1.1", "is a multicast address"},
        {"ff02::1", "is a multicast address"},
        {"255.255.255.255", "is the broadcast address"},
        {"127.0.0.1", "is a loopback address"},
        {"127.255.0.9", "is a loopback address"},
        {"::1", "is a loopback address"},
        {"0.1.2.3", "is in the 'this network' range 0.0.0.0/8"},
        {"fe80::1",
         "is an IPv6 link-local address (a neighbour has no interface to reach it "
         "through)"},
        {"febf::1",
         "is an IPv6 link-local address (a neighbour has no interface to reach it "
         "through)"},
        {"::ffff:127.0.0.1", "is a loopback address"},
        {"::ffff:224.0.0.1", "is a multicast address"},
    };
    for (const auto& [address, problem] : cases)
        EXPECT_THAT(errors_with_base(neighbor("asn = 1\naddress = \"" + address + "\"\n")),
                    ElementsAre(fmt::format("b.toml:4:11: 'address' {} {}", address, problem)));
    for (const char* fine : {"169.254.1.1", "fe7f::1", "fec0::1", "223.255.255.254", "1.0.0.0"})
        test::ok_with_base(neighbor(std::string("asn = 1\naddress = \"") + fine + "\"\n"));
}

TEST(ValidateNeighbor, MappedAddressIsTheSamePeer) {
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\naddress = \"10.9.0.1\"\n[[underlay.neighbors]]\n"
                                  "asn = 2\naddress = \"::ffff:10.9.0.1\"\n")),
        ElementsAre("b.toml:7:11: duplicate neighbor address ::ffff:10.9.0.1: the same as "
                    "10.9.0.1 (also at b.toml:4:11)"));
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\naddress = \"::FFFF:a09:1\"\n[[underlay.neighbors]]\n"
                                  "asn = 2\naddress = \"10.9.0.1\"\n")),
        ElementsAre("b.toml:7:11: duplicate neighbor address 10.9.0.1: the same as "
                    "::ffff:10.9.0.1 (also at b.toml:4:11)"));
}

TEST(ValidateNeighbor, AddressMustNotBeThisNode) {
    // Node 3: router id 10.0.0.4, VTEP 100.65.0.3; the passthrough's router side is
    // 192.169.0.1, this node's host side 192.169.0.5; red's router side fd00:7::1.
    const std::string own = R"([node]
index = 3
[underlay]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
[passthrough]
host_session = { asn = 64514, host_asn = 2, local_cidr = { ipv4 = "192.169.0.0/24" } }
[[l3vni]]
name = "red"
vrf = "red"
vni = 100
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv6 = "fd00:7::/64" } }
)";
    EXPECT_THAT(errors_with_base(own + R"([[underlay.neighbors]]
asn = 1
address = "10.0.0.4"
[[underlay.neighbors]]
asn = 1
address = "100.65.0.3"
[[underlay.neighbors]]
asn = 1
address = "::ffff:192.169.0.1"
[[underlay.neighbors]]
asn = 1
address = "192.169.0.5"
[[underlay.neighbors]]
asn = 1
address = "fd00:7::1"
)"),
                ElementsAre("b.toml:14:11: neighbor address 10.0.0.4 is this node's router id "
                            "(also at a.toml:4:1)",
                            "b.toml:17:11: neighbor address 100.65.0.3 is this node's tunnel "
                            "endpoint (also at b.toml:4:25)",
                            "b.toml:20:11: neighbor address ::ffff:192.169.0.1 is the router side "
                            "of the host session of the passthrough (also at b.toml:6:67)",
                            "b.toml:23:11: neighbor address 192.169.0.5 is this node's host side "
                            "of the host session of the passthrough (also at b.toml:6:67)",
                            "b.toml:26:11: neighbor address fd00:7::1 is the router side of "
                            "the host session of l3vni 'red' (also at b.toml:11:63)"));
    // Other nodes' addresses are fine: node 3 cannot know whether they exist.
    test::ok_with_base(own +
                       "[[underlay.neighbors]]\nasn = 1\naddress = \"10.0.0.5\"\n"
                       "[[underlay.neighbors]]\nasn = 1\naddress = \"192.169.0.6\"\n");
}

TEST(ValidateNeighbor, ExactlyOneOfAsnAndType) {
    EXPECT_THAT(errors_with_base(neighbor("address = \"10.9.0.1\"\n")),
                ElementsAre("b.toml:2:1: [[underlay.neighbors]] needs 'asn' or 'type'"));
    EXPECT_THAT(
        errors_with_base(neighbor("asn = 1\ntype = \"external\"\naddress = \"10.9.0.1\"\n")),
        ElementsAre("b.toml:4:8: 'asn' and 'type' are mutually exclusive"));
    EXPECT_THAT(errors_with_base(neighbor("type = \"ebgp\"\naddress = \"10.9.0.1\"\n")),
                ElementsAre("b.toml:3:8: 'type' must be \"external\" or \"internal\", got 'ebgp'"));
}

TEST(ValidateNeighbor, Password) {
    EXPECT_THAT(errors_with_base(neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"a b\"\n")),
                ElementsAre("b.toml:5:12: 'password' must not contain spaces"));
    // TCP_MD5SIG_MAXKEYLEN is 80 bytes: "é" counts two.
    std::string long_pw = std::string(79, 'x') + "é";
    auto errs = errors_with_base(
        neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"" + long_pw + "\"\n"));
    EXPECT_THAT(errs, ElementsAre("b.toml:5:12: 'password' must be at most 80 bytes (the "
                                  "kernel's TCP-MD5 key limit)"));
    test::ok_with_base(
        neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"" + std::string(80, 'x') + "\"\n"));
    test::ok_with_base(neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"" +
                                std::string(78, 'x') + "é\"\n"));
}

TEST(ValidateNeighbor, PasswordWithoutControlCharacters) {
    // A newline would end the frr.conf line the password is written on.
    for (const char* pw :
         {"a\\nline vty", "a\\rb", "a\\u0001b", "a\\u007fb", "a\\u0000b", "tab\\tx"})
        EXPECT_THAT(errors_with_base(neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"" +
                                              std::string(pw) + "\"\n")),
                    ElementsAre("b.toml:5:12: 'password' must not contain control characters"))
            << pw;
    EXPECT_THAT(errors_with_base(
                    neighbor("asn = 1\naddress = \"10.9.0.1\"\npassword = \"\"\"sec\nret\"\"\"\n")),
                ElementsAre("b.toml:5:12: 'password' must not contain control characters"));
}

TEST(ValidateNeighbor, Timers) {
    const std::string head = "asn = 1\naddress = \"10.9.0.1\"\n";
    EXPECT_THAT(errors_with_base(neighbor(head + "hold_time_seconds = 9\n")),
                ElementsAre("b.toml:5:21: 'hold_time_seconds' and 'keepalive_time_seconds' must "
                            "be set together"));
    EXPECT_THAT(errors_with_base(neighbor(head + "keepalive_time_seconds = 3\n")),
                ElementsAre("b.toml:5:26: 'hold_time_seconds' and 'keepalive_time_seconds' must "
                            "be set together"));
    EXPECT_THAT(
        errors_with_base(neighbor(head + "hold_time_seconds = 2\nkeepalive_time_seconds = 1\n")),
        ElementsAre("b.toml:5:21: 'hold_time_seconds' must be 0 or 3..65535, got 2"));
    EXPECT_THAT(
        errors_with_base(neighbor(head + "hold_time_seconds = 9\nkeepalive_time_seconds = 10\n")),
        ElementsAre("b.toml:6:26: 'keepalive_time_seconds' 10 must not exceed "
                    "'hold_time_seconds' 9"));
    EXPECT_THAT(errors_with_base(neighbor(head + "connect_time_seconds = 0\n")),
                ElementsAre("b.toml:5:24: 'connect_time_seconds' must be 1..65535, got 0"));
    test::ok_with_base(neighbor(head + "hold_time_seconds = 0\nkeepalive_time_seconds = 0\n"));
    test::ok_with_base(neighbor(head + "hold_time_seconds = 3\nkeepalive_time_seconds = 3\n"));
}

TEST(ValidateNeighbor, EbgpMultihop) {
    const std::string head = "asn = 1\naddress = \"10.9.0.1\"\n";
    EXPECT_THAT(errors_with_base(neighbor(head + "ebgp_multihop = 0\n")),
                ElementsAre("b.toml:5:17: 'ebgp_multihop' must be 1..255, got 0"));
    EXPECT_THAT(errors_with_base(neighbor(head + "ebgp_multihop = 256\n")),
                ElementsAre("b.toml:5:17: 'ebgp_multihop' must be 1..255, got 256"));
    Config c = test::ok_with_base(neighbor(head + "ebgp_multihop = false\n"));
    EXPECT_FALSE(c.underlay->neighbors[0].ebgp_multihop);
    EXPECT_FALSE(c.underlay->neighbors[0].ebgp_multihop_ttl);
}

TEST(ValidateNeighbor, BfdRanges) {
    EXPECT_THAT(
        errors_with_base(neighbor(R"(asn = 1
address = "10.9.0.1"
[underlay.neighbors.bfd]
receive_interval_ms = 9
transmit_interval_ms = 60001
detect_multiplier = 1
session_mode = "both"
minimum_ttl = 255
)")),
        ElementsAre("b.toml:6:23: 'receive_interval_ms' must be 10..60000, got 9",
                    "b.toml:7:24: 'transmit_interval_ms' must be 10..60000, got 60001",
                    "b.toml:8:21: 'detect_multiplier' must be 2..255, got 1",
                    "b.toml:9:16: 'session_mode' must be \"active\" or \"passive\", got 'both'",
                    "b.toml:10:15: 'minimum_ttl' must be 1..254, got 255"));
}

// ---- [[l3vni]] -------------------------------------------------------------------------------

TEST(ValidateL3Vni, RequiredKeys) {
    EXPECT_THAT(errors_with_base("[[l3vni]]\n"),
                ElementsAre("b.toml:1:1: missing 'name' in [[l3vni]]",
                            "b.toml:1:1: missing 'vrf' in [[l3vni]]",
                            "b.toml:1:1: missing 'vni' in [[l3vni]]"));
}

TEST(ValidateL3Vni, NameAndVrfFormat) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "-red"
vrf = "averyveryverylongvrf"
vni = 1
[[l3vni]]
name = "a/b"
vrf = "1red"
vni = 2
)"),
                ElementsAre("b.toml:2:8: invalid 'name' '-red': must start with a letter or digit",
                            "b.toml:3:7: invalid 'vrf' 'averyveryverylongvrf': longer than 15 "
                            "characters",
                            "b.toml:6:8: invalid 'name' 'a/b': may only contain letters, digits, "
                            "'.', '_' and '-'",
                            "b.toml:7:7: invalid 'vrf' '1red': must start with a letter"));
}

TEST(ValidateL3Vni, VrfMustNotTakeANameOfAnotherLink) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "a"
vrf = "eth0"
vni = 1
[[l3vni]]
name = "b"
vrf = "br-pe-7"
vni = 2
[[l3vni]]
name = "c"
vrf = "vni7"
vni = 3
[[l3vni]]
name = "d"
vrf = "lo"
vni = 4
)"),
                ElementsAre("b.toml:3:7: vrf 'eth0' has the name of an underlay interface "
                            "(also at a.toml:6:14)",
                            "b.toml:7:7: invalid 'vrf' 'br-pe-7': names starting with 'br-pe-' "
                            "are reserved for perouter's links",
                            "b.toml:11:7: invalid 'vrf' 'vni7': names 'vni<number>' are reserved "
                            "for perouter's vxlan links",
                            "b.toml:15:7: invalid 'vrf' 'lo': is the loopback device"));
    test::ok_with_base("[[l3vni]]\nname = \"a\"\nvrf = \"vnired\"\nvni = 1\n");
}

TEST(ValidateL3Vni, VrfMustNotBeAReservedVrfName) {
    for (const char* name : {"default", "main", "local", "unspec"})
        EXPECT_THAT(
            errors_with_base(fmt::format("[[l3vni]]\nname = \"x\"\nvrf = \"{}\"\nvni = 1\n", name)),
            ElementsAre(fmt::format("b.toml:3:7: invalid 'vrf' '{}': '{}' is reserved by FRR "
                                    "and the kernel's routing tables",
                                    name, name)));
    test::ok_with_base("[[l3vni]]\nname = \"x\"\nvrf = \"defaults\"\nvni = 1\n");
}

TEST(ValidateL3Vni, VniAndPortRanges) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 16777216
vxlan_port = 0
underlay_address_family = "ipv5"
)"),
                ElementsAre("b.toml:4:7: 'vni' must be 1..16777215, got 16777216",
                            "b.toml:5:14: 'vxlan_port' must be 1..65535, got 0",
                            "b.toml:6:27: 'underlay_address_family' must be \"ipv4\" or \"ipv6\", "
                            "got 'ipv5'"));
    Config c = test::ok_with_base("[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 16777215\n");
    EXPECT_EQ(c.l3vnis[0].vni, 16777215u);
}

TEST(ValidateL3Vni, DuplicateVniAcrossL3AndL2) {
    EXPECT_THAT(
        errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
[[l2vni]]
name = "x"
vni = 100
)"),
        ElementsAre(
            "b.toml:7:7: duplicate vni 100: l3vni 'red' and l2vni 'x' (also at b.toml:4:7)"));
}

TEST(ValidateL3Vni, NamesUniqueAcrossL3AndL2) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
[[l2vni]]
name = "red"
vni = 101
)"),
                ElementsAre("b.toml:6:8: duplicate name 'red': also used by l3vni at b.toml:2:8"));
}

TEST(ValidateL3Vni, OneL3VniPerVrf) {
    EXPECT_THAT(
        errors_with_base(R"([[l3vni]]
name = "a"
vrf = "red"
vni = 100
[[l3vni]]
name = "b"
vrf = "red"
vni = 101
)"),
        ElementsAre(
            "b.toml:7:7: more than one l3vni in vrf 'red': 'a' and 'b' (also at b.toml:3:7)"));
}

TEST(ValidateL3Vni, RouteTargets) {
    EXPECT_THAT(
        errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
export_rts = ["64514", "64514:4294967295", "4200000000:65536", "10.0.0.1:65536", "1.2.3:4", "4294967296:1", "64514:4294967296"]
import_rts = ["4294967295:65535", "10.0.0.1:65535", "0:0", "123456789012345678:123"]
)"),
        ElementsAre(
            "b.toml:5:15: invalid route target '64514' in 'export_rts': must be 'ASN:MN' or "
            "'A.B.C.D:MN'",
            "b.toml:5:44: invalid route target '4200000000:65536' in 'export_rts': the number "
            "after a 4-byte asn must be at most 65535",
            "b.toml:5:64: invalid route target '10.0.0.1:65536' in 'export_rts': the number "
            "after an ipv4 address must be at most 65535",
            "b.toml:5:82: invalid route target '1.2.3:4' in 'export_rts': must be 'ASN:MN' or "
            "'A.B.C.D:MN'",
            "b.toml:5:93: invalid route target '4294967296:1' in 'export_rts': must be 'ASN:MN' "
            "or 'A.B.C.D:MN'",
            "b.toml:5:109: invalid route target '64514:4294967296' in 'export_rts': the number "
            "after a 2-byte asn must be at most 4294967295",
            "b.toml:6:60: invalid route target '123456789012345678:123' in 'import_rts': longer "
            "than 21 characters"));
}

TEST(ValidateL3Vni, AtMost100RouteTargets) {
    std::string rts;
    for (int i = 0; i < 101; ++i)
        rts += (i ? ", " : "") + std::string("\"1:") + std::to_string(i) + "\"";
    EXPECT_THAT(
        errors_with_base("[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 1\nimport_rts = [" + rts +
                         "]\n"),
        ElementsAre("b.toml:5:14: 'import_rts' has 101 entries (at most 100)"));
}

TEST(ValidateL3Vni, UnderlayAddressFamilyNeedsATunnelEndpoint) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
underlay_address_family = "ipv6"
)"),
                ElementsAre("b.toml:5:27: 'underlay_address_family' ipv6 has no tunnel endpoint "
                            "cidr of that family"));
}

TEST(ValidateL3Vni, NeedsAnUnderlay) {
    EXPECT_THAT(errors_alone("[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n"),
                ElementsAre("c.toml:1:1: [[l3vni]] needs an [underlay]"));
}

// ---- host sessions ---------------------------------------------------------------------------

std::string l3vni_with_session(const std::string& session) {
    return "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\n[l3vni.host_session]\n" + session;
}

TEST(ValidateHostSession, ExactlyOneOfHostAsnAndHostType) {
    EXPECT_THAT(errors_with_base(l3vni_with_session(
                    "asn = 64514\nlocal_cidr = { ipv4 = \"192.169.10.0/24\" }\n")),
                ElementsAre("b.toml:5:1: [l3vni.host_session] needs 'host_asn' or 'host_type'"));
    EXPECT_THAT(errors_with_base(l3vni_with_session(
                    "asn = 64514\nhost_asn = 1\nhost_type = \"internal\"\nlocal_cidr = { ipv4 = "
                    "\"192.169.10.0/24\" }\n")),
                ElementsAre("b.toml:8:13: 'host_asn' and 'host_type' are mutually exclusive"));
}

TEST(ValidateHostSession, HostAsnDiffersFromAsn) {
    EXPECT_THAT(
        errors_with_base(l3vni_with_session(
            "asn = 64514\nhost_asn = 64514\nlocal_cidr = { ipv4 = \"192.169.10.0/24\" }\n")),
        ElementsAre("b.toml:7:12: 'host_asn' 64514 must differ from the host session's "
                    "'asn'"));
}

TEST(ValidateHostSession, RequiredKeys) {
    EXPECT_THAT(errors_with_base(l3vni_with_session("host_asn = 1\n")),
                ElementsAre("b.toml:5:1: missing 'asn' in [l3vni.host_session]",
                            "b.toml:5:1: missing 'local_cidr' in [l3vni.host_session]"));
    EXPECT_THAT(errors_with_base(l3vni_with_session("asn = 2\nhost_asn = 1\nlocal_cidr = {}\n")),
                ElementsAre("b.toml:8:14: 'local_cidr' needs at least one of 'ipv4' or 'ipv6'"));
}

TEST(ValidateHostSession, LocalCidrFamilyAndSize) {
    EXPECT_THAT(
        errors_with_base(l3vni_with_session("asn = 2\nhost_asn = 1\nlocal_cidr = { ipv4 = "
                                            "\"fd00::/64\", ipv6 = \"10.0.0.0/24\" }\n")),
        ElementsAre("b.toml:8:23: 'local_cidr.ipv4' must be an ipv4 cidr, got 'fd00::/64'",
                    "b.toml:8:43: 'local_cidr.ipv6' must be an ipv6 cidr, got '10.0.0.0/24'"));
    EXPECT_THAT(
        errors_with_base(l3vni_with_session("asn = 2\nhost_asn = 1\nlocal_cidr = { ipv4 = "
                                            "\"10.9.0.0/31\", ipv6 = \"fd00::/127\" }\n")),
        ElementsAre("b.toml:8:23: 'local_cidr.ipv4' 10.9.0.0/31 is too small for a host session "
                    "(at most /30)",
                    "b.toml:8:45: 'local_cidr.ipv6' fd00::/127 is too small for a host session "
                    "(at most /126)"));
    test::ok_with_base(l3vni_with_session(
        "asn = 2\nhost_asn = 1\nlocal_cidr = { ipv4 = \"10.9.0.0/30\", ipv6 = \"fd00::/126\" }\n"));
}

TEST(ValidateHostSession, LocalCidrMustBeAUnicastPool) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ipv4 = \"127.1.0.0/24\"",
         "'local_cidr.ipv4' 127.1.0.0/24 overlaps the loopback range "
         "127.0.0.0/8"},
        {"ipv4 = \"0.0.0.0/0\"",
         "'local_cidr.ipv4' 0.0.0.0/0 overlaps the 'this network' range "
         "0.0.0.0/8"},
        {"ipv4 = \"128.0.0.0/1\"",
         "'local_cidr.ipv4' 128.0.0.0/1 overlaps the link-local range "
         "169.254.0.0/16"},
        {"ipv4 = \"169.254.3.0/24\"",
         "'local_cidr.ipv4' 169.254.3.0/24 overlaps the link-local "
         "range 169.254.0.0/16"},
        {"ipv4 = \"239.0.0.0/24\"",
         "'local_cidr.ipv4' 239.0.0.0/24 overlaps the multicast range "
         "224.0.0.0/4"},
        {"ipv6 = \"::/0\"", "'local_cidr.ipv6' ::/0 overlaps the unspecified address ::/128"},
        {"ipv6 = \"fe80::/64\"",
         "'local_cidr.ipv6' fe80::/64 overlaps the link-local range "
         "fe80::/10"},
        {"ipv6 = \"ff05::/64\"",
         "'local_cidr.ipv6' ff05::/64 overlaps the multicast range "
         "ff00::/8"},
        {"ipv6 = \"::ffff:10.0.0.0/120\"",
         "'local_cidr.ipv6' ::ffff:10.0.0.0/120 overlaps the "
         "IPv4-mapped range ::ffff:0:0/96"},
    };
    for (const auto& [cidr, problem] : cases)
        EXPECT_THAT(errors_with_base(l3vni_with_session("asn = 2\nhost_asn = 1\nlocal_cidr = { " +
                                                        cidr + " }\n")),
                    ElementsAre("b.toml:8:23: " + problem))
            << cidr;
}

TEST(ValidateHostSession, LocalCidrsMustNotOverlapAcrossAllSessions) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.10.0/24" } }
[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.10.128/25" } }
[passthrough]
host_session = { asn = 64514, host_asn = 2, local_cidr = { ipv4 = "192.169.0.0/16" } }
)"),
                ElementsAre("b.toml:10:63: local_cidr 192.169.10.128/25 of l3vni 'blue' overlaps "
                            "192.169.10.0/24 of l3vni 'red' (also at b.toml:5:63)",
                            "b.toml:12:67: local_cidr 192.169.0.0/16 of passthrough overlaps "
                            "192.169.10.0/24 of l3vni 'red' (also at b.toml:5:63)"));
}

TEST(ValidateHostSession, OverlapsAmongManyPoolsAreEachReported) {
    // 100 disjoint pools, one pool inside one of them, one equal to another; IPv6 pools with
    // the same bits never overlap IPv4 ones.
    std::string text;
    auto l3 = [&](const std::string& name, int vni, const std::string& cidr) {
        text += fmt::format(
            "[[l3vni]]\nname = \"{0}\"\nvrf = \"{0}\"\nvni = {1}\nhost_session = {{ asn = 1, "
            "host_asn = 2, local_cidr = {{ {2} }} }}\n",
            name, vni, cidr);
    };
    for (int i = 0; i < 100; ++i)
        l3(fmt::format("v{}", i), i + 1,
           fmt::format("ipv4 = \"10.0.{}.0/24\", ipv6 = \"fd00:{}::/64\"", i, i));
    l3("inner", 1000, "ipv4 = \"10.0.50.128/25\"");
    l3("twin", 1001, "ipv4 = \"10.0.7.0/24\"");
    l3("six", 1002, "ipv6 = \"::a00:0/104\"");
    EXPECT_THAT(errors_with_base(text),
                ElementsAre("b.toml:505:63: local_cidr 10.0.50.128/25 of l3vni 'inner' overlaps "
                            "10.0.50.0/24 of l3vni 'v50' (also at b.toml:255:63)",
                            "b.toml:510:63: local_cidr 10.0.7.0/24 of l3vni 'twin' overlaps "
                            "10.0.7.0/24 of l3vni 'v7' (also at b.toml:40:63)"));
}

TEST(ValidateHostSession, DefaultGatewayOncePerFamily) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
default_gateway = true
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.10.0/24" } }
[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200
default_gateway = true
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.11.0/24", ipv6 = "fd00::/64" } }
[[l3vni]]
name = "green"
vrf = "green"
vni = 300
default_gateway = true
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv6 = "fd01::/64" } }
)"),
                ElementsAre("b.toml:11:19: more than one default_gateway l3vni for ipv4: 'red' "
                            "and 'blue' (also at b.toml:5:19)",
                            "b.toml:17:19: more than one default_gateway l3vni for ipv6: 'blue' "
                            "and 'green' (also at b.toml:11:19)"));
    // One per family is fine: ipv4 through red, ipv6 through green.
    test::ok_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
default_gateway = true
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.10.0/24" } }
[[l3vni]]
name = "green"
vrf = "green"
vni = 300
default_gateway = true
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv6 = "fd01::/64" } }
)");
}

TEST(ValidateHostSession, DefaultGatewayNeedsAHostSession) {
    EXPECT_THAT(
        errors_with_base(
            "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 100\ndefault_gateway = true\n"),
        ElementsAre("b.toml:5:19: 'default_gateway' needs a host_session with a local_cidr"));
}

// ---- [[l2vni]] -------------------------------------------------------------------------------

const char* kRed = R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
host_session = { asn = 1, host_asn = 2, local_cidr = { ipv4 = "192.169.10.0/24" } }
)";

TEST(ValidateHostSession, PrefixFilters) {
    const Config c = ok_with_base(
        "[passthrough]\nhost_session = { asn = 64514, host_asn = 64515, local_cidr = { ipv4 = "
        "\"192.169.20.0/24\" }, import_prefixes = [\"10.0.0.0/8 le 24\", \"2001:db8::/32 ge 48 "
        "le 64\", \"192.168.1.0/24\"], export_prefixes = [] }\n");
    const auto& f = *c.passthrough->host_session.import_prefixes;
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].prefix.str(), "10.0.0.0/8");
    EXPECT_EQ(f[0].le, 24);
    EXPECT_FALSE(f[0].ge);
    EXPECT_EQ(f[1].ge, 48);
    EXPECT_EQ(f[1].le, 64);
    EXPECT_TRUE(c.passthrough->host_session.export_prefixes->empty());
    EXPECT_THAT(
        errors_with_base("[passthrough]\nhost_session = { asn = 64514, host_asn = 64515, "
                         "local_cidr = { ipv4 = \"192.169.20.0/24\" }, import_prefixes = "
                         "[\"10.0.0.1/8\", \"10.0.0.0/8 ge 8\", \"10.0.0.0/8 le 33\", "
                         "\"10.0.0.0/8 le 20 ge 16\", \"10.0.0.0/8 ge 24 le 16\", \"x\"] }\n"),
        ElementsAre("b.toml:2:111: 'import_prefixes' entry '10.0.0.1/8' has host bits set (the "
                    "network is 10.0.0.0/8)",
                    "b.toml:2:125: 'import_prefixes' entry '10.0.0.0/8 ge 8' needs 8 < ge <= le "
                    "<= 32",
                    "b.toml:2:144: 'import_prefixes' entry '10.0.0.0/8 le 33' 'le 33' exceeds /32",
                    "b.toml:2:164: 'import_prefixes' entry '10.0.0.0/8 le 20 ge 16' must be "
                    "'PREFIX', 'PREFIX le N', 'PREFIX ge N' or 'PREFIX ge N le M'",
                    "b.toml:2:190: 'import_prefixes' entry '10.0.0.0/8 ge 24 le 16' needs 8 < ge "
                    "<= le <= 32",
                    "b.toml:2:216: 'import_prefixes' entry 'x' must be 'PREFIX', 'PREFIX le N', "
                    "'PREFIX ge N' or 'PREFIX ge N le M'"));
}

TEST(ValidateRawFrr, BlocksAreNamedCompleteAndPlainText) {
    const Config c = ok_with_base(
        "[[raw_frr]]\nname = \"b\"\npriority = 7\nconfig = \"\"\"\nroute-map x permit 1\n\"\"\"\n"
        "[[raw_frr]]\nname = \"a\"\nconfig = \"ip prefix-list p permit any\"\n");
    ASSERT_EQ(c.raw_frr.size(), 2u);
    EXPECT_EQ(c.raw_frr[0].priority, 7u);
    EXPECT_EQ(c.raw_frr[0].config, "route-map x permit 1\n");
    EXPECT_EQ(c.raw_frr[1].priority, 0u);
    EXPECT_THAT(
        errors_with_base("[[raw_frr]]\nname = \"a\"\nconfig = \" \\n\"\n"
                         "[[raw_frr]]\nname = \"b\"\nconfig = \"router bgp 1\\r\\n\"\n"
                         "[[raw_frr]]\nname = \"a\"\nconfig = \"router bgp 1\\n end\\n\"\n"
                         "[[raw_frr]]\nname = \"d\"\npriority = -1\n"),
        ElementsAre("b.toml:3:10: 'config' must not be empty",
                    "b.toml:6:10: 'config' must not contain control characters other than tab "
                    "and newline",
                    "b.toml:8:8: duplicate [[raw_frr]] name 'a' (also at b.toml:2:8)",
                    "b.toml:9:10: 'config' line 2 of the block: 'end' is not a configuration "
                    "command",
                    "b.toml:10:1: missing 'config' in [[raw_frr]]",
                    "b.toml:12:12: 'priority' must be 0..2147483647, got -1"));
    EXPECT_THAT(errors_alone("[[raw_frr]]\nname = \"a\"\nconfig = \"ip prefix-list p permit "
                             "any\"\n"),
                ElementsAre("c.toml:1:1: [[raw_frr]] needs an [underlay] (FRR runs only in the "
                            "router namespace an [underlay] creates)"));
}

TEST(ValidateL2Vni, RouteTargetsAndDistinguisher) {
    const Config c = ok_with_base(R"([[l2vni]]
name = "web"
vni = 110
import_rts = ["64512:9110", "10.1.1.1:7"]
export_rts = ["64512:9110"]
rd = "10.0.0.1:110"
)");
    ASSERT_EQ(c.l2vnis.size(), 1u);
    EXPECT_THAT(c.l2vnis[0].import_rts, ElementsAre("64512:9110", "10.1.1.1:7"));
    EXPECT_THAT(c.l2vnis[0].export_rts, ElementsAre("64512:9110"));
    EXPECT_EQ(c.l2vnis[0].rd, "10.0.0.1:110");
    EXPECT_THAT(errors_with_base(R"([[l2vni]]
name = "web"
vni = 110
import_rts = ["64512"]
rd = "10.0.0.1:70000"
)"),
                ElementsAre("b.toml:4:15: invalid route target '64512' in 'import_rts': must be "
                            "'ASN:MN' or 'A.B.C.D:MN'",
                            "b.toml:5:6: invalid 'rd' '10.0.0.1:70000': the number after an ipv4 "
                            "address must be at most 65535"));
}

TEST(ValidateL2Vni, RouteDistinguishersAreUniqueAcrossVnis) {
    EXPECT_THAT(errors_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
rd = "10.0.0.1:5"
[[l2vni]]
name = "web"
vni = 110
rd = "10.0.0.1:5"
)"),
                ElementsAre("b.toml:9:6: duplicate rd 10.0.0.1:5: l3vni 'red' and l2vni 'web' "
                            "(also at b.toml:5:6)"));
}

TEST(ValidateL2Vni, RequiredKeys) {
    EXPECT_THAT(errors_with_base("[[l2vni]]\n"),
                ElementsAre("b.toml:1:1: missing 'name' in [[l2vni]]",
                            "b.toml:1:1: missing 'vni' in [[l2vni]]"));
}

TEST(ValidateL2Vni, RoutingDomainMustNameAnL3Vni) {
    EXPECT_THAT(errors_with_base(std::string(kRed) +
                                 "[[l2vni]]\nname = \"x\"\nvni = 5\nrouting_domain = \"blue\"\n"),
                ElementsAre("b.toml:9:18: routing_domain 'blue' does not name an [[l3vni]] or an "
                            "[[l3vpn]]"));
}

TEST(ValidateL2Vni, GatewayIps) {
    EXPECT_THAT(
        errors_with_base(std::string(kRed) + R"([[l2vni]]
name = "x"
vni = 5
routing_domain = "red"
gateway_ips = ["192.170.1.1/24", "192.170.2.1/24", "fd00::1/64"]
[[l2vni]]
name = "y"
vni = 6
routing_domain = "red"
gateway_ips = ["192.171.1.0/24", "192.171.1.255/24", "192.171.1.1"]
)"),
        ElementsAre("b.toml:10:15: 'gateway_ips' must have at most 2 entries",
                    "b.toml:10:34: 'gateway_ips' has more than one ipv4 address",
                    "b.toml:15:15: 'gateway_ips' must have at most 2 entries",
                    "b.toml:15:16: 'gateway_ips' entry '192.171.1.0/24' is the network "
                    "address, not a gateway address",
                    "b.toml:15:34: 'gateway_ips' entry '192.171.1.255/24' is the broadcast address",
                    "b.toml:15:54: 'gateway_ips' entry must be ADDR/LEN, got '192.171.1.1'"));
}

TEST(ValidateL2Vni, GatewayIpsNeedARoutingDomain) {
    EXPECT_THAT(
        errors_with_base("[[l2vni]]\nname = \"x\"\nvni = 5\ngateway_ips = [\"10.1.1.1/24\"]\n"),
        ElementsAre("b.toml:4:15: 'gateway_ips' need a 'routing_domain'"));
}

TEST(ValidateL2Vni, SubnetsInOneVrfMustNotOverlap) {
    EXPECT_THAT(
        errors_with_base(std::string(kRed) + R"([[l2vni]]
name = "x"
vni = 5
routing_domain = "red"
gateway_ips = ["192.169.10.200/24"]
[[l2vni]]
name = "y"
vni = 6
routing_domain = "red"
gateway_ips = ["192.170.0.1/16"]
[[l2vni]]
name = "z"
vni = 7
routing_domain = "red"
gateway_ips = ["192.170.5.1/24"]
)"),
        ElementsAre("b.toml:10:15: gateway_ips 192.169.10.200/24 of l2vni 'x' overlaps local_cidr "
                    "192.169.10.0/24 of l3vni 'red' in vrf 'red' (also at b.toml:5:63)",
                    "b.toml:20:15: gateway_ips 192.170.5.1/24 of l2vni 'z' overlaps gateway_ips "
                    "192.170.0.1/16 of l2vni 'y' in vrf 'red' (also at b.toml:15:15)"));
}

TEST(ValidateL2Vni, SameSubnetInDifferentVrfsIsFine) {
    test::ok_with_base(R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
[[l3vni]]
name = "blue"
vrf = "blue"
vni = 200
[[l2vni]]
name = "x"
vni = 5
routing_domain = "red"
gateway_ips = ["192.170.1.1/24"]
[[l2vni]]
name = "y"
vni = 6
routing_domain = "blue"
gateway_ips = ["192.170.1.1/24"]
)");
}

TEST(ValidateL2Vni, HostMaster) {
    EXPECT_THAT(
        errors_with_base(R"([[l2vni]]
name = "a"
vni = 1
host_master = { type = "openvswitch", lifecycle = "auto" }
[[l2vni]]
name = "b"
vni = 2
host_master = { name = "br0" }
[[l2vni]]
name = "c"
vni = 3
host_master = { lifecycle = "external" }
[[l2vni]]
name = "d"
vni = 4
host_master = { lifecycle = "external", name = "br 0" }
[[l2vni]]
name = "e"
vni = 5
host_master = { lifecycle = "external", name = "br-hs-5" }
)"),
        ElementsAre("b.toml:4:24: 'type' must be \"linux-bridge\" or \"ovs-bridge\", got "
                    "'openvswitch'",
                    "b.toml:4:51: 'lifecycle' must be \"managed\" or \"external\", got 'auto'",
                    "b.toml:8:24: 'name' is only allowed with lifecycle \"external\" (a "
                    "managed bridge is named br-hs-<vni>)",
                    "b.toml:12:15: lifecycle \"external\" needs a 'name'",
                    "b.toml:16:48: invalid 'name' 'br 0': may only contain letters, "
                    "digits, '.', '_' and '-'",
                    "b.toml:20:48: invalid 'name' 'br-hs-5': names starting with 'br-hs-' are "
                    "reserved for perouter's links"));
}

// An OVS host master follows the same lifecycle and name rules as a Linux bridge: a managed
// one is br-hs-<vni> (perouter's), an external one is named and must not take our names.
TEST(ValidateL2Vni, OvsHostMaster) {
    EXPECT_THAT(errors_with_base(R"([[l2vni]]
name = "a"
vni = 1
host_master = { type = "ovs-bridge", lifecycle = "managed", name = "br-int" }
[[l2vni]]
name = "b"
vni = 2
host_master = { type = "ovs-bridge", lifecycle = "external" }
[[l2vni]]
name = "c"
vni = 3
host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-hs-3" }
[[l2vni]]
name = "d"
vni = 4
host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-integration-0" }
)"),
                ElementsAre("b.toml:4:68: 'name' is only allowed with lifecycle \"external\" "
                            "(a managed bridge is named br-hs-<vni>)",
                            "b.toml:8:15: lifecycle \"external\" needs a 'name'",
                            "b.toml:12:69: invalid 'name' 'br-hs-3': names starting with "
                            "'br-hs-' are reserved for perouter's links",
                            "b.toml:16:69: invalid 'name' 'br-integration-0': longer than 15 "
                            "characters"));
    test::ok_with_base(R"([[l2vni]]
name = "a"
vni = 1
host_master = { type = "ovs-bridge", lifecycle = "managed" }
[[l2vni]]
name = "b"
vni = 2
host_master = { type = "ovs-bridge", lifecycle = "external", name = "br-int" }
)");
}

TEST(ValidateL2Vni, NeedsAnUnderlay) {
    EXPECT_THAT(errors_alone("[[l2vni]]\nname = \"x\"\nvni = 5\n"),
                ElementsAre("c.toml:1:1: [[l2vni]] needs an [underlay]"));
}

// ---- [passthrough] ---------------------------------------------------------------------------

TEST(ValidatePassthrough, NeedsAnUnderlay) {
    EXPECT_THAT(errors_alone("[passthrough]\nhost_session = { asn = 1, host_asn = 2, local_cidr = "
                             "{ ipv4 = \"10.9.0.0/24\" } }\n"),
                ElementsAre("c.toml:1:1: [passthrough] needs an [underlay] (its session lives in "
                            "the default bgp instance)"));
}

TEST(ValidatePassthrough, NeedsAHostSession) {
    EXPECT_THAT(errors_with_base("[passthrough]\n"),
                ElementsAre("b.toml:1:1: missing 'host_session' in [passthrough]"));
}

TEST(ValidatePassthrough, SessionAsnIsTheUnderlayAsn) {
    EXPECT_THAT(
        errors_with_base("[passthrough]\nhost_session = { asn = 65000, host_asn = 2, "
                         "local_cidr = { ipv6 = \"fd00::/64\" } }\n"),
        ElementsAre("b.toml:2:24: passthrough host_session 'asn' 65000 must equal the "
                    "underlay 'asn' 64514 (the session lives in the default bgp instance)"));
}

TEST(ValidatePassthrough, HostSessionRulesApply) {
    EXPECT_THAT(errors_with_base("[passthrough]\nhost_session = { asn = 64514, local_cidr = { "
                                 "ipv4 = \"10.0.0.1/32\" } }\n"),
                ElementsAre("b.toml:2:16: [passthrough.host_session] needs 'host_asn' or "
                            "'host_type'",
                            "b.toml:2:53: 'local_cidr.ipv4' 10.0.0.1/32 is too small for a host "
                            "session (at most /30)"));
}

// ---- all errors of a load together -----------------------------------------------------------

TEST(Validate, TwoPlaceErrorsBlameTheFileMergedLater) {
    // l3vnis are checked before l2vnis, but the l2vni's file comes first: the l3vni's file is
    // the one that clashes, so a loader leaving out bad drop-ins drops that one.
    const std::string base = test::kBase;
    auto errs = test::errors({{"a.toml", base},
                              {"b.toml", "[[l2vni]]\nname = \"blue\"\nvni = 7\n"},
                              {"c.toml", "[[l3vni]]\nname = \"blue\"\nvrf = \"blue\"\nvni = 7\n"}});
    EXPECT_THAT(errs, ElementsAre("c.toml:2:8: duplicate name 'blue': also used by l2vni at "
                                  "b.toml:2:8",
                                  "c.toml:4:7: duplicate vni 7: l2vni 'blue' and l3vni 'blue' "
                                  "(also at b.toml:3:7)"));
    // A keyed replacement keeps its place among the entries, but not its file's rank.
    errs = test::errors(
        {{"a.toml", base + "[[l3vni]]\nname = \"red\"\nvrf = \"red\"\nvni = 1\n[[l3vni]]\nname "
                           "= \"blue\"\nvrf = \"blue\"\nvni = 2\n"},
         {"b.toml", "[[l3vni]]\nname = \"red\"\nvrf = \"blue\"\nvni = 1\n"}});
    EXPECT_THAT(errs, ElementsAre("b.toml:3:7: more than one l3vni in vrf 'blue': 'blue' and 'red' "
                                  "(also at a.toml:18:7)"));
}

TEST(Validate, ReportsEveryErrorOfALoadInFileOrder) {
    auto errs = test::errors(
        {{"a.toml", R"([node]
index = 0
[underlay]
asn = 0
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]
[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
hold_time_seconds = 9
)"},
         {"b.toml", R"([[l3vni]]
name = "red"
vrf = "red"
vni = 100
vnii = 1
[[l2vni]]
name = "web"
vni = 100
routing_domain = "blue"
)"},
         {"c.toml",
          "[passthrough]\nhost_session = { asn = 64514, host_asn = 1, local_cidr = {} }\n"}});
    EXPECT_THAT(
        errs, ElementsAre(
                  "a.toml:4:7: 'asn' must be 1..4294967295, got 0",
                  "a.toml:10:21: 'hold_time_seconds' and 'keepalive_time_seconds' must "
                  "be set together",
                  "b.toml:5:1: unknown key 'vnii' in [[l3vni]]",
                  "b.toml:8:7: duplicate vni 100: l3vni 'red' and l2vni 'web' (also at b.toml:4:7)",
                  "b.toml:9:18: routing_domain 'blue' does not name an [[l3vni]] or an [[l3vpn]]",
                  "c.toml:2:58: 'local_cidr' needs at least one of 'ipv4' or 'ipv6'"));
}

}  // namespace
}  // namespace perouter::config
