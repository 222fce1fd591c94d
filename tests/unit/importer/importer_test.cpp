// The import, field by field: every upstream shape perouter has under another shape, the
// refusals with the YAML position they name, the notes, and the merge of several files.
#include "importer/importer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace perouter::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> errors(const std::vector<YamlText>& files) {
    auto r = import_files(files);
    EXPECT_FALSE(r.ok()) << (r ? r->toml : "");
    std::vector<std::string> out;
    if (!r)
        for (const auto& d : r.error())
            out.push_back(d.str());
    return out;
}

std::vector<std::string> errors(const std::string& yaml) {
    return errors({{"in.yaml", yaml}});
}

/// The import's output, parsed back.
toml::table imported(const std::vector<YamlText>& files) {
    auto r = import_files(files);
    if (!r) {
        for (const auto& d : r.error())
            ADD_FAILURE() << d.str();
        return {};
    }
    return toml::parse(r->toml);
}

toml::table imported(const std::string& yaml) {
    return imported({{"in.yaml", yaml}});
}

/// An underlay around one neighbor written at six spaces of indentation.
std::string with_neighbor(const std::string& neighbor) {
    return "underlays:\n"
           "  - asn: 64514\n"
           "    neighbors:\n" +
           neighbor;
}

TEST(Import, NeighborShapes) {
    auto t = imported(with_neighbor(R"(      - asn: 64512
        address: 192.168.11.2
        properties:
          - type: ebgpMultiHop
        bfd: {}
      - type: Internal
        interface: eth2
        properties:
          - type: ebgpMultiHop
            ebgpMultiHop: {ttl: 4}
        bfd:
          sessionMode: Active
)"));
    auto* n = t["underlay"]["neighbors"].as_array();
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(n->size(), 2u);
    auto first = *(*n)[0].as_table();
    EXPECT_EQ(first["asn"].value<int64_t>(), 64512);
    EXPECT_EQ(first["ebgp_multihop"].value<bool>(), true);
    ASSERT_TRUE(first["bfd"].is_table());
    EXPECT_TRUE(first["bfd"].as_table()->empty());
    auto second = *(*n)[1].as_table();
    EXPECT_EQ(second["type"].value<std::string>(), "internal");
    EXPECT_EQ(second["interface"].value<std::string>(), "eth2");
    EXPECT_EQ(second["ebgp_multihop"].value<int64_t>(), 4);
    EXPECT_EQ(second["bfd"]["session_mode"].value<std::string>(), "active");
}

TEST(Import, AddressFamiliesAndRouteReflectorClient) {
    auto t = imported(with_neighbor(R"(      - type: Internal
        listenRange: 192.168.11.0/24
        addressFamilies:
          - type: ipv6unicast
            properties: [{type: routeReflectorClient}]
          - type: evpn
            properties: [{type: routeReflectorClient}]
)"));
    auto n = *t["underlay"]["neighbors"][0].as_table();
    EXPECT_EQ(n["listen_range"].value<std::string>(), "192.168.11.0/24");
    auto* families = n["address_families"].as_array();
    ASSERT_NE(families, nullptr);
    ASSERT_EQ(families->size(), 2u);
    EXPECT_EQ((*families)[0].value<std::string>(), "ipv6_unicast");
    EXPECT_EQ((*families)[1].value<std::string>(), "l2vpn_evpn");
    EXPECT_EQ(n["route_reflector_client"].value<bool>(), true);
}

TEST(Import, RouteReflectorClientOnSomeFamiliesOnlyIsRefused) {
    EXPECT_THAT(errors(with_neighbor(R"(      - type: Internal
        address: 192.168.11.5
        addressFamilies:
          - type: ipv4unicast
          - type: evpn
            properties: [{type: routeReflectorClient}]
)")),
                ElementsAre(HasSubstr("in.yaml:7:13: routeReflectorClient is set on some")));
}

TEST(Import, RouteReflectorKeepsUpstreamsDefaultClusterId) {
    auto t = imported("underlays:\n  - asn: 1\n    routeReflector: {}\n");
    EXPECT_EQ(t["underlay"]["route_reflector"]["cluster_id"].value<std::string>(), "192.0.2.1");
    auto u = imported("underlays:\n  - asn: 1\n    routeReflector: {clusterID: 10.9.9.9}\n");
    EXPECT_EQ(u["underlay"]["route_reflector"]["cluster_id"].value<std::string>(), "10.9.9.9");
}

TEST(Import, HostMasterLifecycle) {
    auto t = imported(R"(l2vnis:
  - name: a
    vni: 1
    hostMaster: {type: LinuxBridge, linuxBridge: {name: br0}}
  - name: b
    vni: 2
    hostMaster: {type: OVSBridge, ovsBridge: {lifecycle: Managed}}
)");
    // Upstream reads a missing lifecycle as "not Managed": an existing bridge.
    EXPECT_EQ(t["l2vni"][0]["host_master"]["lifecycle"].value<std::string>(), "external");
    EXPECT_EQ(t["l2vni"][0]["host_master"]["type"].value<std::string>(), "linux-bridge");
    EXPECT_EQ(t["l2vni"][1]["host_master"]["type"].value<std::string>(), "ovs-bridge");
    EXPECT_EQ(t["l2vni"][1]["host_master"]["lifecycle"].value<std::string>(), "managed");
    EXPECT_THAT(errors(R"(l2vnis:
  - name: a
    hostMaster: {type: LinuxBridge, linuxBridge: {}}
)"),
                ElementsAre("in.yaml:3:50: lifecycle: missing: upstream needs lifecycle Managed, "
                            "or a bridge name (External)"));
    EXPECT_THAT(errors(R"(l2vnis:
  - name: a
    hostMaster:
      type: LinuxBridge
      linuxBridge: {lifecycle: Managed}
      ovsBridge: {lifecycle: Managed}
)"),
                ElementsAre("in.yaml:6:7: ovsBridge: set with type LinuxBridge"));
}

TEST(Import, NullMeansAbsentAndAnEmptyPassthroughIsNone) {
    auto t = imported(R"(underlays:
  - asn: 64514
    routerIDCIDR:
    gracefulRestart:
bgppassthrough: {}
l3vnis:
rawfrrconfigs: ~
)");
    EXPECT_FALSE(t["underlay"]["router_id_cidr"]);
    EXPECT_FALSE(t["underlay"]["graceful_restart"]);
    EXPECT_FALSE(t["passthrough"]);
    EXPECT_FALSE(t["raw_frr"]);
    // An empty mapping is present: graceful restart on, with upstream's (and perouter's)
    // default times.
    auto g = imported("underlays:\n  - asn: 1\n    gracefulRestart: {}\n");
    ASSERT_TRUE(g["underlay"]["graceful_restart"].is_table());
}

TEST(Import, NodeFile) {
    EXPECT_EQ(imported("nodeIndex: {index: 7}\n")["node"]["index"].value<int64_t>(), 7);
    // Upstream's index defaults to 0.
    EXPECT_EQ(imported("logLevel: debug\n")["node"]["index"].value<int64_t>(), 0);
    auto t = imported("nodeIndex: {interfaceName: eth0, index: 0}\n");
    EXPECT_EQ(t["node"]["index_from_interface"].value<std::string>(), "eth0");
    EXPECT_FALSE(t["node"]["index"]);
    EXPECT_THAT(errors("nodeIndex: {interfaceName: eth0, index: 3}\n"),
                ElementsAre("in.yaml:1:13: interfaceName: index and interfaceName are mutually "
                            "exclusive"));
    EXPECT_THAT(errors("nodeIndex: {cidr: 10.0.0.0/8}\n"),
                ElementsAre("in.yaml:1:13: cidr: cidr needs interfaceName"));
    EXPECT_THAT(errors("nodeIndex: 3\n"),
                ElementsAre(HasSubstr("in.yaml:1:1: nodeIndex: a number here is the format")));
}

TEST(Import, NotesForWhatConfiguresNothing) {
    auto r = import_files({{"node-config.yaml", "nodeName: w1\nlogLevel: debug\n"},
                           {"openpe_a.yaml", "underlays:\n  - asn: 1\n    nodeSelector: {}\n"}});
    ASSERT_TRUE(r.ok());
    std::vector<std::string> notes;
    for (const auto& n : r->notes)
        notes.push_back(n.str());
    EXPECT_THAT(notes, ElementsAre(HasSubstr("node-config.yaml:1:1: nodeName \"w1\" not imported"),
                                   HasSubstr("node-config.yaml:2:1: logLevel \"debug\" not "),
                                   HasSubstr("openpe_a.yaml:3:5: nodeSelector not imported")));
    EXPECT_THAT(r->toml, HasSubstr("#   node-config.yaml:2:1: logLevel \"debug\" not imported"));
}

/// An underlay whose one interface is a CNI device with `raw` as its rawConfig (a flow mapping
/// on line 6) and `extra` as more fields of the cniDevice (from line 7).
std::string with_cni(const std::string& raw, const std::string& extra = "") {
    return "underlays:\n"
           "  - asn: 64514\n"
           "    interfaces:\n"
           "      - type: CNIDevice\n"
           "        cniDevice:\n"
           "          rawConfig: " +
           raw + "\n" + extra + "          type: RawConfig\n";
}

/// A conflist of one plugin: `plugin`'s fields after type macvlan.
std::string macvlan(const std::string& plugin) {
    return "{cniVersion: 1.0.0, name: u, plugins: [{type: macvlan, " + plugin + "}]}";
}

const std::string kStatic = "ipam: {type: static, addresses: [{address: 10.1.0.10/24}]}";

TEST(Import, CniMacvlanIsTheMacvlanUnderlay) {
    auto t = imported(with_cni(macvlan("master: eth0, " + kStatic)));
    EXPECT_FALSE(t["underlay"]["interfaces"]);
    auto m = t["underlay"]["macvlan"];
    ASSERT_TRUE(m.is_table());
    EXPECT_EQ(m["parent"].value<std::string>(), "eth0");
    // Upstream's default interface name, written out: perouter's default is another.
    EXPECT_EQ(m["name"].value<std::string>(), "net1");
    EXPECT_FALSE(m["mode"]);
    EXPECT_FALSE(m["mac"]);
    ASSERT_TRUE(m["addresses"].is_array());
    EXPECT_EQ(m["addresses"][0].value<std::string>(), "10.1.0.10/24");
    EXPECT_EQ(m.as_table()->size(), 3u);
    // Upstream reads an empty interface name as unset.
    t = imported(with_cni(macvlan("master: eth0, " + kStatic), "          interfaceName: \"\"\n"));
    EXPECT_EQ(t["underlay"]["macvlan"]["name"].value<std::string>(), "net1");

    // CNI's single-plugin form, JSON as it is pasted, dual stack, the name and mode set.
    t = imported(
        with_cni(R"({"cniVersion": "1.0.0", "name": "u", "type": "macvlan", "master": "eno1", )"
                 R"("mode": "private", "ipam": {"type": "static", "addresses": [)"
                 R"({"address": "2001:db8::a/64"}, {"address": "10.1.0.10/24"}]}})",
                 "          interfaceName: fabric0\n"));
    m = t["underlay"]["macvlan"];
    EXPECT_EQ(m["name"].value<std::string>(), "fabric0");
    EXPECT_EQ(m["mode"].value<std::string>(), "private");
    EXPECT_EQ(m["addresses"][0].value<std::string>(), "2001:db8::a/64");
    EXPECT_EQ(m["addresses"][1].value<std::string>(), "10.1.0.10/24");
}

TEST(Import, CniMacvlanTakesWhatThePluginWouldBeHanded) {
    // runtimeConfig reaches the plugin for the capabilities it declares, and replaces the
    // configuration's MAC and the static IPAM's addresses.
    auto r = import_files({{"in.yaml", with_cni(macvlan("master: eth0, mac: \"02:00:00:00:00:01\", "
                                                        "capabilities: {mac: true, ips: true}, " +
                                                        kStatic),
                                                "          runtimeConfig: {mac: "
                                                "\"02-00-00-00-00-AA\", ips: [10.1.0.11/24]}\n")}});
    ASSERT_TRUE(r.ok()) << r.error().front().str();
    auto t = toml::parse(r->toml);
    EXPECT_EQ(t["underlay"]["macvlan"]["mac"].value<std::string>(), "02:00:00:00:00:aa");
    EXPECT_EQ(t["underlay"]["macvlan"]["addresses"][0].value<std::string>(), "10.1.0.11/24");
    std::vector<std::string> notes;
    for (const auto& n : r->notes)
        notes.push_back(n.str());
    EXPECT_THAT(notes, ElementsAre(HasSubstr("in.yaml:6:96: mac not imported: runtimeConfig mac "
                                             "replaces it"),
                                   HasSubstr("in.yaml:6:198: ipam addresses not imported")));

    // Without the capability, upstream does not pass them: the configuration's stand.
    r = import_files({{"in.yaml", with_cni(macvlan("master: eth0, " + kStatic),
                                           "          runtimeConfig: {mac: "
                                           "\"02:00:00:00:00:aa\"}\n")}});
    ASSERT_TRUE(r.ok());
    t = toml::parse(r->toml);
    EXPECT_FALSE(t["underlay"]["macvlan"]["mac"]);
    ASSERT_EQ(r->notes.size(), 1u);
    EXPECT_THAT(r->notes[0].str(),
                HasSubstr("in.yaml:7:27: runtimeConfig mac not imported: the plugin does not "
                          "declare the capability (capabilities: {mac: true})"));
}

TEST(Import, CniMacvlanWithDhcpIsTheMacvlanUnderlayWithDhcp) {
    // The dhcp IPAM: dhcp = true and no addresses; the parent, mode and the MAC handed at run
    // time (the plugin declares the capability) are taken as with static addresses.
    auto r = import_files(
        {{"in.yaml", with_cni(macvlan("master: eth0, mode: vepa, capabilities: {mac: true, ips: "
                                      "true}, ipam: {type: dhcp, daemonSocketPath: "
                                      "/run/cni/dhcp.sock, request: [{option: \"121\"}], "
                                      "priority: 10}"),
                              "          runtimeConfig: {mac: \"02-00-00-00-00-AA\", ips: "
                              "[10.1.0.11/24]}\n")}});
    ASSERT_TRUE(r.ok()) << r.error().front().str();
    auto t = toml::parse(r->toml);
    auto m = t["underlay"]["macvlan"];
    ASSERT_TRUE(m.is_table());
    EXPECT_EQ(m["dhcp"].value<bool>(), true);
    EXPECT_FALSE(m["addresses"]);
    EXPECT_EQ(m["parent"].value<std::string>(), "eth0");
    EXPECT_EQ(m["name"].value<std::string>(), "net1");
    EXPECT_EQ(m["mode"].value<std::string>(), "vepa");
    EXPECT_EQ(m["mac"].value<std::string>(), "02:00:00:00:00:aa");
    EXPECT_EQ(m.as_table()->size(), 5u);
    EXPECT_NE(r->toml.find("dhcp = true\n"), std::string::npos) << r->toml;
    // What the dhcp plugin does besides leasing the address, each noted at its key; runtime
    // ips are the static IPAM's and left out too.
    std::vector<std::string> notes;
    for (const auto& n : r->notes)
        notes.push_back(n.str());
    EXPECT_THAT(
        notes,
        ElementsAre(HasSubstr("in.yaml:6:148: the DHCP lease's routes not imported"),
                    HasSubstr("in.yaml:6:160: daemonSocketPath not imported: it concerns CNI "
                              "operations"),
                    HasSubstr("in.yaml:6:198: request not imported"),
                    HasSubstr("in.yaml:6:226: priority not imported"),
                    HasSubstr("in.yaml:7:53: runtimeConfig ips not imported: only the static "
                              "IPAM plugin reads it")));

    // The minimal form: a MAC of the plugin's own, no runtime arguments.
    t = imported(with_cni(macvlan("master: eth0, mac: \"02:00:00:00:00:01\", ipam: {type: dhcp}")));
    m = t["underlay"]["macvlan"];
    EXPECT_EQ(m["dhcp"].value<bool>(), true);
    EXPECT_FALSE(m["addresses"]);
    EXPECT_EQ(m["mac"].value<std::string>(), "02:00:00:00:00:01");

    // Options sent to the server have no equivalent; other keys are unknown, as for static.
    EXPECT_THAT(errors(with_cni(macvlan("master: eth0, ipam: {type: dhcp, provide: [{option: "
                                        "host-name, value: r1}], routes: []}"))),
                ElementsAre("in.yaml:6:110: provide: options sent to the DHCP server (host "
                            "name, client identifier, ...) have no equivalent: perouter's DHCP "
                            "client sends none of the configuration's choosing; remove them (a "
                            "server that leases the router its address by one of them must know "
                            "it by its MAC address instead)",
                            "in.yaml:6:153: unknown field \"routes\" in ipam"));
}

TEST(Import, CniDevicesWithoutAnEquivalentAreRefused) {
    auto ipam = [](const std::string& text) {
        return errors(with_cni(macvlan("master: eth0, ipam: " + text)));
    };
    EXPECT_THAT(ipam("{type: host-local, subnet: 10.0.0.0/24}"),
                ElementsAre(HasSubstr("in.yaml:6:98: type: \"host-local\" has no equivalent: "
                                      "perouter gives the macvlan static addresses (ipam type "
                                      "static) or an IPv4 address leased by DHCP (ipam type "
                                      "dhcp) only")));
    EXPECT_THAT(ipam("{type: static}"), ElementsAre(HasSubstr("in.yaml:6:61: no static address")));
    EXPECT_THAT(errors(with_cni(macvlan("master: eth0"))),
                ElementsAre(HasSubstr("in.yaml:6:61: no \"ipam\": the macvlan would have no "
                                      "address")));
    EXPECT_THAT(errors(with_cni(macvlan(kStatic))),
                ElementsAre(HasSubstr("in.yaml:6:61: no \"master\": the plugin would take the "
                                      "NIC of the host's default route")));
    EXPECT_THAT(errors(with_cni(macvlan("master: eth0, mode: passthru, " + kStatic))),
                ElementsAre(HasSubstr("in.yaml:6:91: mode: passthru has no equivalent")));
    EXPECT_THAT(errors(with_cni(macvlan("master: eth0, mode: source, " + kStatic))),
                ElementsAre(HasSubstr("in.yaml:6:91: mode: \"source\" is not a mode the "
                                      "macvlan plugin takes")));
    EXPECT_THAT(
        errors(with_cni("{cniVersion: 1.0.0, name: u, plugins: [{type: ipvlan, master: eth0}]}")),
        ElementsAre(HasSubstr("in.yaml:6:62: type: \"ipvlan\" has no equivalent: perouter's "
                              "underlay link is a macvlan")));
    EXPECT_THAT(errors(with_cni("{cniVersion: 1.0.0, name: u, plugins: [{type: macvlan, master: "
                                "eth0, " +
                                kStatic + "}, {type: tuning, mtu: 9000}]}")),
                ElementsAre(HasSubstr("in.yaml:6:152: plugins[1]: a second plugin (\"tuning\") "
                                      "has no equivalent")));
    EXPECT_THAT(errors(with_cni("{cniVersion: 0.4.0, name: u, type: macvlan, master: eth0, " +
                                kStatic + "}")),
                ElementsAre(HasSubstr("in.yaml:6:23: cniVersion: \"0.4.0\": upstream takes CNI "
                                      "configurations of version 1.0.0 or later only")));
    EXPECT_THAT(errors(with_cni("'{\"cniVersion\": \"1.0.0\"}'")),
                ElementsAre(HasSubstr("in.yaml:6:22: rawConfig: expected the CNI configuration "
                                      "as a mapping, got a string")));
    EXPECT_THAT(errors(with_cni(macvlan("master: eth0, mtu: 1400, bcqueuelen: 10, " + kStatic),
                                "          runtimeConfig: {bandwidth: {}}\n")),
                ElementsAre(HasSubstr("in.yaml:6:91: mtu: an MTU of its own has no equivalent"),
                            HasSubstr("in.yaml:6:102: bcqueuelen: has no equivalent")));
}

TEST(Import, CniAddressesAreCheckedAsPerouterChecksThem) {
    EXPECT_THAT(
        errors(with_cni(macvlan("master: eth0, mac: \"01:00:5e:00:00:01\", ipam: {type: "
                                "static, addresses: [{address: 10.1.0.0/24}, {address: "
                                "10.1.0.10}, {address: 10.1.0.11/24}, {address: 10.1.0.12/24}, "
                                "{address: fe80::1/64}, {address: 127.0.0.2/8}]}"))),
        ElementsAre("in.yaml:6:96: mac: 01:00:5e:00:00:01 is a multicast address",
                    "in.yaml:6:160: address: 10.1.0.0/24 is the network address of its prefix, "
                    "not an address on it",
                    "in.yaml:6:184: address: \"10.1.0.10\" is not an address with its prefix "
                    "length (ADDR/LEN)",
                    "in.yaml:6:231: address: 10.1.0.12/24 is a second ipv4 address: perouter's "
                    "macvlan has at most one per family",
                    "in.yaml:6:256: address: fe80::1/64 is link-local: the kernel gives the "
                    "macvlan one by itself",
                    "in.yaml:6:279: address: 127.0.0.2/8 is a loopback address"));
}

TEST(Import, OneCniDeviceAndNoMixing) {
    const std::string device =
        "      - type: CNIDevice\n"
        "        cniDevice:\n"
        "          type: RawConfig\n"
        "          rawConfig: " +
        macvlan("master: eth0, " + kStatic) + "\n";
    EXPECT_THAT(errors("underlays:\n  - asn: 1\n    interfaces:\n" + device + device),
                ElementsAre(HasSubstr("in.yaml:8:9: type: a second CNIDevice has no "
                                      "equivalent")));
    EXPECT_THAT(errors("underlays:\n  - asn: 1\n    interfaces:\n" + device +
                       "      - type: NetworkDevice\n        networkDevice: {interfaceName: "
                       "eth1}\n"),
                ElementsAre(HasSubstr("in.yaml:8:9: type: NetworkDevice and CNIDevice "
                                      "interfaces mixed")));
}

TEST(Import, RefusesWhatPerouterHasNot) {
    EXPECT_THAT(errors("underlays:\n  - asn: 1\n    isis: {baseNet: x}\n    srv6: {}\n"),
                ElementsAre(HasSubstr("in.yaml:3:5: isis: IS-IS is not imported"),
                            HasSubstr("in.yaml:4:5: srv6: SRv6 is not imported")));
    EXPECT_THAT(errors(with_neighbor("      - asn: 2\n        passwordSecret: s\n")),
                ElementsAre(HasSubstr("in.yaml:5:9: passwordSecret: a Kubernetes Secret")));
    EXPECT_THAT(
        errors(with_neighbor("      - asn: 2\n        addressFamilies: [{type: ipv4vpn}]\n")),
        ElementsAre(HasSubstr("in.yaml:5:28: type: ipv4vpn is not imported")));
    EXPECT_THAT(errors("l3vpns:\n  - name: red\n"),
                ElementsAre(HasSubstr("in.yaml:1:1: l3vpns: an L3VPN is not imported")));
    EXPECT_THAT(
        errors("l2vnis:\n  - name: x\n    routingDomain: {type: L3VPN, l3vpn: {name: r}}\n"),
        ElementsAre(HasSubstr("in.yaml:3:21: type: an L3VPN routing domain")));
}

TEST(Import, RefusesResourcesItCannotMap) {
    const std::string header = "apiVersion: network.openperouter.io/v1alpha1\n";
    EXPECT_THAT(errors(header + "kind: L3VPN\nmetadata: {name: b}\n"),
                ElementsAre(HasSubstr("in.yaml:2:1: kind: an L3VPN is not imported")));
    EXPECT_THAT(errors(header + "kind: Frobnicator\n"),
                ElementsAre(HasSubstr("in.yaml:2:1: kind: \"Frobnicator\" is not a kind")));
    EXPECT_THAT(errors("apiVersion: v1\nkind: ConfigMap\n"),
                ElementsAre(HasSubstr("in.yaml:1:1: apiVersion: ConfigMap v1 is not an Open PE "
                                      "Router resource")));
    EXPECT_THAT(errors(header + "kind: L3VNI\nmetadata: {name: g}\nspec:\n  nodeSelector:\n"
                                "    matchLabels: {rack: r1}\n"),
                ElementsAre(HasSubstr("in.yaml:5:3: nodeSelector: a node selector has no")));
    EXPECT_THAT(errors(header + "kind: L2VNI\nmetadata: {namespace: x}\nspec: {vni: 1}\n"),
                ElementsAre("in.yaml:3:1: L2VNI: missing metadata.name (the VPN's name)"));
    EXPECT_THAT(errors(header + "kind: L3VNI\nmetadata: {name: a}\nspec: {vni: 1}\nextra: 1\n"),
                ElementsAre("in.yaml:5:1: unknown field \"extra\" in resource"));
}

TEST(Import, UnknownFieldsAreNamedWithUpstreamsSpelling) {
    EXPECT_THAT(errors(R"(l3vnis:
  - name: red
    vni: 100
    hostsession: {asn: 1}
    colour: red
)"),
                ElementsAre("in.yaml:4:5: unknown field \"hostsession\" in l3vnis[0] (upstream "
                            "spells it \"hostSession\")",
                            "in.yaml:5:5: unknown field \"colour\" in l3vnis[0]"));
}

TEST(Import, ValuesOfTheWrongShape) {
    EXPECT_THAT(errors("underlays:\n  - asn: \"64514\"\n"),
                ElementsAre("in.yaml:2:10: asn: expected an integer, got the string \"64514\""));
    EXPECT_THAT(errors("underlays:\n  - asn: 0x10\n"),
                ElementsAre("in.yaml:2:10: asn: expected a decimal integer, got \"0x10\""));
    EXPECT_THAT(errors("underlays:\n  - asn: 0100\n"),
                ElementsAre("in.yaml:2:10: asn: expected a decimal integer, got \"0100\""));
    EXPECT_THAT(errors("underlays:\n  - asn: 99999999999999999999\n"),
                ElementsAre("in.yaml:2:10: asn: 99999999999999999999 is out of range"));
    EXPECT_THAT(errors("underlays:\n  - interfaces: eth0\n"),
                ElementsAre("in.yaml:2:17: interfaces: expected a list, got a scalar"));
    EXPECT_THAT(errors("l3vnis:\n  - name: [a]\n"),
                ElementsAre("in.yaml:2:11: name: expected a string, got a list"));
    EXPECT_THAT(errors("underlays:\n  - asn: 1\n    asn: 2\n"),
                ElementsAre("in.yaml:3:5: underlays[0]: duplicate field \"asn\" (also at "
                            "in.yaml:2:5)"));
    EXPECT_THAT(errors("- a\n- b\n"), ElementsAre(HasSubstr("in.yaml:1:1: expected a mapping")));
    EXPECT_THAT(errors("underlays: [\n"), ElementsAre(HasSubstr("in.yaml:2:1: YAML: ")));
}

TEST(Import, FilesMergeLikeUpstreamsStaticLoader) {
    auto t = imported({{"openpe_a.yaml", "l3vnis:\n  - {name: red, vni: 1}\n"},
                       {"openpe_b.yaml", "l3vnis:\n  - {name: blue, vni: 2}\n"},
                       {"c.yaml",
                        "apiVersion: network.openperouter.io/v1alpha1\nkind: L3VNI\n"
                        "metadata: {name: green}\nspec: {vni: 3}\n"}});
    ASSERT_TRUE(t["l3vni"].is_array());
    EXPECT_EQ(t["l3vni"][0]["name"].value<std::string>(), "red");
    EXPECT_EQ(t["l3vni"][1]["name"].value<std::string>(), "blue");
    EXPECT_EQ(t["l3vni"][2]["name"].value<std::string>(), "green");

    EXPECT_THAT(errors({{"openpe_a.yaml", "underlays:\n  - asn: 1\n"},
                        {"openpe_b.yaml", "underlays:\n  - asn: 2\n"}}),
                ElementsAre("openpe_b.yaml:2:5: more than one underlay (also at "
                            "openpe_a.yaml:2:5): a node has one, as upstream allows"));
    EXPECT_THAT(errors({{"a.yaml", "bgppassthrough: {hostSession: {asn: 1}}\n"},
                        {"b.yaml",
                         "apiVersion: network.openperouter.io/v1alpha1\n"
                         "kind: L3Passthrough\nspec: {}\n"}}),
                ElementsAre(HasSubstr("b.yaml:1:1: more than one passthrough (also at "
                                      "a.yaml:1:17)")));
    EXPECT_THAT(
        errors({{"n1.yaml", "nodeIndex: {index: 1}\n"}, {"n2.yaml", "nodeIndex: {index: 2}\n"}}),
        ElementsAre(HasSubstr("n2.yaml:1:1: more than one node file (also at n1.yaml")));
    EXPECT_THAT(errors("l3vnis:\n  - {name: red, vni: 1}\nl2vnis:\n  - {name: red, vni: 2}\n"),
                ElementsAre("in.yaml:4:5: duplicate L3VNI/L2VNI name \"red\" (also at "
                            "in.yaml:2:5)"));
    EXPECT_THAT(errors("l3vnis:\n  - {vni: 1}\n"),
                ElementsAre("in.yaml:2:5: l3vnis[0]: missing field \"name\""));
}

TEST(Import, PasswordMarksTheOutputSecret) {
    auto plain = import_files({{"a.yaml", with_neighbor("      - {asn: 2, address: 10.0.0.1}\n")}});
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(plain->secret);
    auto secret = import_files(
        {{"a.yaml", with_neighbor("      - {asn: 2, address: 10.0.0.1, password: pw}\n")}});
    ASSERT_TRUE(secret.ok());
    EXPECT_TRUE(secret->secret);
}

TEST(Import, RawFrrTextIsKeptAsWritten) {
    const std::string text = "router bgp 64514\n neighbor \"x\" \\\nexit\n";
    auto t = imported(R"(rawfrrconfigs:
  - priority: 5
    rawConfig: |
      router bgp 64514
       neighbor "x" \
      exit
)");
    EXPECT_EQ(t["raw_frr"][0]["config"].value<std::string>(), text);
    EXPECT_EQ(t["raw_frr"][0]["priority"].value<int64_t>(), 5);
}

TEST(Import, ManyAliasesAreStopped) {
    // A short text whose aliases expand to 22^4 mappings, through the lists the import reads.
    auto refs = [](const std::string& first, const std::string& alias) {
        std::string out = "[" + first;
        for (int i = 1; i < 22; ++i)
            out += ", *" + alias;
        return out + "]";
    };
    std::string p = refs("&p {type: routeReflectorClient}", "p");
    std::string af = refs("&af {type: evpn, properties: " + p + "}", "af");
    std::string n =
        refs("&n {type: Internal, address: 10.0.0.1, addressFamilies: " + af + "}", "n");
    std::string yaml = "underlays: " + refs("&u {asn: 1, neighbors: " + n + "}", "u") + "\n";
    EXPECT_THAT(errors(yaml), ::testing::Contains(HasSubstr("more than 200000 mappings")));
}

}  // namespace
}  // namespace perouter::importer
