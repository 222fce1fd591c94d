// Underlay CNI devices: upstream's CNIDevice has its controller run a CNI configuration in the
// router namespace. The macvlan plugin with static addresses, or with an IPv4 address leased by
// DHCP, is perouter's [underlay.macvlan]; everything else a CNI configuration says is converted,
// refused with the reason, or (when upstream itself drops it, or it configures nothing) left out
// with a note.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "common/ip.hpp"
#include "config/address_rules.hpp"
#include "importer/convert.hpp"

namespace perouter::importer {
namespace {

// Upstream's CNI_IFNAME when cniDevice.interfaceName is not set (or empty). perouter's default
// name for the macvlan differs, and unnumbered neighbors name the link, so it is written out.
constexpr std::string_view kUpstreamInterfaceName = "net1";

constexpr std::string_view kNoBgpRoutes =
    "perouter's router learns its routes over BGP and installs none on the underlay link";

/// A value and where it was written.
struct Placed {
    std::string text;
    SourcePos pos;
};

/// cniDevice.runtimeConfig: the capability arguments upstream hands the plugin, each only when
/// the plugin declares the capability (libcni drops the others).
struct RuntimeArg {
    std::string key;
    YAML::Node value;
    SourcePos key_pos;
};

std::vector<RuntimeArg> runtime_args(const std::optional<YAML::Node>& node, Sink& sink) {
    std::vector<RuntimeArg> out;
    if (!node)
        return out;
    Fields rt(*node, "runtimeConfig", sink);
    for (const std::string& key : rt.keys()) {
        SourcePos pos = rt.key_pos(key);
        if (auto value = rt.take(key))
            out.push_back({key, *value, pos});
    }
    rt.finish();
    return out;
}

bool written(const Fields& f, std::string_view key) {
    const auto keys = f.keys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

/// Marks every field taken: after a refusal, the rest of the mapping is not reported as unknown.
void skip_all(Fields& f) {
    for (const std::string& key : f.keys())
        f.skip(key);
}

/// Upstream takes CNI configurations of version 1.0.0 or later only (the conflist format).
void check_cni_version(Fields& conf) {
    constexpr std::string_view kWhy =
        "upstream takes CNI configurations of version 1.0.0 or later only";
    auto version = conf.string("cniVersion");
    if (!version) {
        if (!conf.has("cniVersion"))
            conf.sink().error(conf.pos(),
                              fmt::format("rawConfig: missing field \"cniVersion\": {}", kWhy));
        return;
    }
    // The major version: digits before the first dot, at least one of them not zero.
    const std::string_view major = std::string_view(*version).substr(0, version->find('.'));
    const bool digits = !major.empty() && std::all_of(major.begin(), major.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || major.find_first_not_of('0') == std::string_view::npos)
        conf.error("cniVersion", fmt::format("\"{}\": {}", *version, kWhy));
}

/// Fields of a CNI configuration that concern CNI operations perouter does not run.
void note_cni_only(Fields& f, std::string_view key) {
    if (!written(f, key))
        return;
    f.skip(key);
    f.sink().note(f.key_pos(key),
                  fmt::format("{} not imported: it concerns CNI operations, and perouter runs no "
                              "CNI plugin",
                              key));
}

/// plugins[0].capabilities: {mac: true, ips: true, ...} -> the capabilities declared.
std::set<std::string> capabilities(Fields& plugin) {
    std::set<std::string> out;
    auto node = plugin.take("capabilities");
    if (!node)
        return out;
    Fields c(*node, "capabilities", plugin.sink());
    for (const std::string& key : c.keys())
        if (c.boolean(key).value_or(false))
            out.insert(key);
    c.finish();
    return out;
}

/// How the plugin's IPAM addresses the macvlan.
enum class Ipam {
    Refused,  // an IPAM perouter has no equivalent for (reported)
    Static,   // the static IPAM plugin's addresses: [underlay.macvlan] addresses
    Dhcp,     // an IPv4 address leased by DHCP: [underlay.macvlan] dhcp = true
};

/// The static IPAM plugin's fields: addresses [{address: ADDR/LEN, gateway}], routes, dns.
void static_ipam(Fields& ipam, std::vector<Placed>& addresses) {
    Sink& sink = ipam.sink();
    if (auto routes = ipam.sequence("routes"); routes && !routes->empty())
        ipam.error("routes", fmt::format("static routes have no equivalent: {}", kNoBgpRoutes));
    if (written(ipam, "dns")) {
        ipam.skip("dns");
        sink.note(ipam.key_pos("dns"),
                  "ipam dns not imported: it is for a container's resolver; "
                  "the router namespace has none");
    }
    if (auto items = ipam.sequence("addresses")) {
        for (size_t i = 0; i < items->size(); ++i) {
            Fields a((*items)[i], fmt::format("addresses[{}]", i), sink);
            auto value = a.take("address");
            if (!value) {
                a.missing("address");
            } else if (auto text = as_string(*value, "address", sink)) {
                addresses.push_back({std::move(*text), sink.at(*value)});
            }
            if (written(a, "gateway")) {
                a.skip("gateway");
                sink.note(a.key_pos("gateway"),
                          fmt::format("gateway not imported: the static IPAM plugin uses it for "
                                      "routes only, and {}",
                                      kNoBgpRoutes));
            }
            a.finish();
        }
    }
}

/// The dhcp IPAM plugin's fields (daemonSocketPath, provide, request, priority). The lease's
/// IPv4 address is what perouter's DHCP client takes; what else the plugin sends the server or
/// does with the lease has no equivalent.
void dhcp_ipam(Fields& ipam) {
    Sink& sink = ipam.sink();
    sink.note(ipam.key_pos("type"),
              fmt::format("the DHCP lease's routes not imported: upstream installs the lease's "
                          "gateway (as a default route) and static routes in the router "
                          "namespace, and {}",
                          kNoBgpRoutes));
    note_cni_only(ipam, "daemonSocketPath");
    if (auto provide = ipam.sequence("provide"); provide && !provide->empty())
        ipam.error("provide",
                   "options sent to the DHCP server (host name, client identifier, ...) have "
                   "no equivalent: perouter's DHCP client sends none of the configuration's "
                   "choosing; remove them (a server that leases the router its address by one "
                   "of them must know it by its MAC address instead)");
    if (auto request = ipam.sequence("request"); request && !request->empty())
        sink.note(ipam.key_pos("request"),
                  "request not imported: the options it asks the DHCP server for configure "
                  "nothing perouter takes from the lease, which is the address and its prefix "
                  "length alone");
    if (ipam.integer("priority").value_or(0) != 0)
        sink.note(ipam.key_pos("priority"),
                  "priority not imported: it is the metric of the lease's routes, which "
                  "perouter does not install");
}

/// The plugin's IPAM: static addresses (into `addresses`), DHCP, or refused (nothing more to
/// say about addresses then).
Ipam read_ipam(Fields& plugin, std::vector<Placed>& addresses) {
    Sink& sink = plugin.sink();
    auto node = plugin.take("ipam");
    if (!node) {
        sink.error(plugin.pos(),
                   "no \"ipam\": the macvlan would have no address, and perouter's macvlan "
                   "needs a static one (ipam type static) or one leased by DHCP (ipam type "
                   "dhcp)");
        return Ipam::Refused;
    }
    Fields ipam(*node, "ipam", sink);
    auto type = ipam.string("type");
    Ipam kind = Ipam::Refused;
    if (type && *type == "static") {
        kind = Ipam::Static;
        static_ipam(ipam, addresses);
    } else if (type && *type == "dhcp") {
        kind = Ipam::Dhcp;
        dhcp_ipam(ipam);
    } else {
        if (!type && !ipam.has("type"))
            ipam.missing("type");
        else if (type)
            ipam.error("type", fmt::format("\"{}\" has no equivalent: perouter gives the macvlan "
                                           "static addresses (ipam type static) or an IPv4 "
                                           "address leased by DHCP (ipam type dhcp) only",
                                           *type));
        skip_all(ipam);
    }
    ipam.finish();
    return kind;
}

/// The router's addresses, checked as perouter's loader checks [underlay.macvlan] addresses.
void put_addresses(const std::vector<Placed>& addresses, const SourcePos& where, Sink& sink,
                   toml::table& out) {
    if (addresses.empty()) {
        sink.error(where,
                   "no static address: perouter's macvlan needs one (at most one per "
                   "family)");
        return;
    }
    bool seen[2] = {false, false};
    toml::array written_out;
    for (const Placed& a : addresses) {
        auto p = IpPrefix::parse(a.text);
        if (!p) {
            sink.error(a.pos, fmt::format("address: \"{}\" is not an address with its prefix "
                                          "length (ADDR/LEN)",
                                          a.text));
            continue;
        }
        if (auto problem = config::macvlan_address_problem(*p)) {
            sink.error(a.pos, fmt::format("address: {} {}", p->str(), *problem));
            continue;
        }
        auto family = static_cast<size_t>(p->family());
        if (seen[family]) {
            sink.error(a.pos, fmt::format("address: {} is a second {} address: perouter's "
                                          "macvlan has at most one per family",
                                          p->str(), to_string(p->family())));
            continue;
        }
        seen[family] = true;
        written_out.push_back(p->str());
    }
    out.insert_or_assign("addresses", std::move(written_out));
}

/// A MAC address as upstream's plugin reads it (Go's net.ParseMAC: ':' or '-' between the
/// bytes), checked as perouter's loader checks [underlay.macvlan] mac.
void put_mac(const Placed& mac, Sink& sink, toml::table& out) {
    std::string text = mac.text;
    std::replace(text.begin(), text.end(), '-', ':');
    auto m = MacAddress::parse(text);
    if (!m) {
        sink.error(mac.pos, fmt::format("mac: \"{}\" is not a MAC address perouter reads "
                                        "(aa:bb:cc:dd:ee:ff)",
                                        mac.text));
    } else if (auto problem = config::unicast_mac_problem(*m)) {
        sink.error(mac.pos, fmt::format("mac: {} {}", m->str(), *problem));
    } else {
        out.insert_or_assign("mac", m->str());
    }
}

std::string no_equivalent(std::string_view type) {
    if (type == "ipvlan")
        return "\"ipvlan\" has no equivalent: perouter's underlay link is a macvlan "
               "([underlay.macvlan]), with a MAC address of its own where an ipvlan shares its "
               "parent's; if the switch port accepts a second MAC address, write type macvlan";
    if (type == "host-device")
        return "\"host-device\" has no equivalent as a CNI plugin: to move a host NIC into the "
               "router namespace, use an interface of type NetworkDevice";
    return fmt::format(
        "\"{}\" has no equivalent: perouter runs no CNI plugin; its "
        "[underlay.macvlan] is what the plugin type macvlan creates",
        type);
}

/// The macvlan plugin's configuration (a plugins entry, or the whole rawConfig in the
/// single-plugin form) and the runtime arguments upstream would hand it.
void macvlan_plugin(Fields& p, bool listed, const std::vector<RuntimeArg>& runtime,
                    toml::table& out) {
    Sink& sink = p.sink();
    auto type = p.string("type");
    if (!type || *type != "macvlan") {
        if (!type && !p.has("type"))
            p.missing("type");
        else if (type)
            p.error("type", no_equivalent(*type));
        skip_all(p);
        return;
    }
    if (listed) {
        // libcni gives every plugin of a list the list's name and version.
        p.skip("name");
        p.skip("cniVersion");
    }
    auto master = p.take("master");
    auto master_name = master ? as_string(*master, "master", sink) : std::nullopt;
    if (master_name && !master_name->empty())
        out.insert_or_assign("parent", *master_name);
    else if (!master || master_name)
        sink.error(master ? sink.at(*master) : p.pos(),
                   "no \"master\": the plugin would take the NIC of the host's default route; "
                   "name that NIC (perouter's parent)");
    if (auto mode = p.string("mode")) {
        if (*mode == "bridge" || *mode == "vepa" || *mode == "private")
            out.insert_or_assign("mode", *mode);
        else if (*mode == "passthru")
            p.error("mode",
                    "passthru has no equivalent: a passthru macvlan takes its parent "
                    "over, and perouter's macvlan leaves the host its NIC; use bridge, "
                    "vepa or private, or move the NIC with type NetworkDevice");
        else if (!mode->empty())  // the plugin reads "" as bridge
            p.error("mode", fmt::format("\"{}\" is not a mode the macvlan plugin takes (bridge, "
                                        "private, vepa, passthru)",
                                        *mode));
    }
    if (p.integer("mtu").value_or(0) != 0)
        p.error("mtu",
                "an MTU of its own has no equivalent: perouter's macvlan takes its "
                "parent's MTU");
    if (p.boolean("linkInContainer").value_or(false))
        p.error("linkInContainer",
                "a parent in the router namespace has no equivalent: "
                "perouter's parent is a NIC the host keeps");
    if (p.integer("bcqueuelen").value_or(0) != 0)
        p.error("bcqueuelen",
                "has no equivalent: perouter leaves the macvlan's broadcast queue "
                "length at the kernel's default");
    if (written(p, "dns")) {
        p.skip("dns");
        sink.note(p.key_pos("dns"),
                  "dns not imported: it is for a container's resolver; the "
                  "router namespace has none");
    }
    std::optional<Placed> mac;
    if (auto node = p.take("mac"))
        if (auto text = as_string(*node, "mac", sink))
            mac = Placed{*text, sink.at(*node)};
    const std::set<std::string> declared = capabilities(p);
    std::vector<Placed> addresses;
    const Ipam ipam = read_ipam(p, addresses);

    // What upstream hands the plugin at run time, as the plugin reads it: a MAC address and
    // the static IPAM's addresses both replace the configuration's (the dhcp IPAM reads no
    // addresses).
    for (const RuntimeArg& arg : runtime) {
        if (declared.count(arg.key) == 0) {
            sink.note(arg.key_pos,
                      fmt::format("runtimeConfig {} not imported: the plugin does not declare "
                                  "the capability (capabilities: {{{}: true}}), so upstream "
                                  "does not pass it",
                                  arg.key, arg.key));
        } else if (arg.key == "mac") {
            if (auto text = as_string(arg.value, "mac", sink)) {
                if (mac)
                    sink.note(mac->pos,
                              "mac not imported: runtimeConfig mac replaces it, as in "
                              "the macvlan plugin");
                mac = Placed{*text, sink.at(arg.value)};
            }
        } else if (arg.key == "ips" && ipam == Ipam::Dhcp) {
            sink.note(arg.key_pos,
                      "runtimeConfig ips not imported: only the static IPAM plugin reads it, and "
                      "this plugin's address is leased by DHCP");
        } else if (arg.key == "ips") {
            if (!arg.value.IsSequence()) {
                sink.error(sink.at(arg.value), "ips: expected a list");
                continue;
            }
            if (!addresses.empty())
                sink.note(addresses.front().pos,
                          "ipam addresses not imported: runtimeConfig ips "
                          "replaces them, as in the static IPAM plugin");
            addresses.clear();
            for (const YAML::Node& item : arg.value)
                if (auto text = as_string(item, "ips", sink))
                    addresses.push_back({*text, sink.at(item)});
        } else {
            sink.error(arg.key_pos, fmt::format("runtimeConfig {}: the capability has no "
                                                "equivalent in perouter's macvlan underlay",
                                                arg.key));
        }
    }
    if (mac)
        put_mac(*mac, sink, out);
    if (ipam == Ipam::Static)
        put_addresses(addresses, p.pos(), sink, out);
    else if (ipam == Ipam::Dhcp)
        out.insert_or_assign("dhcp", true);
}

}  // namespace

toml::table convert_cni_device(Fields& device) {
    Sink& sink = device.sink();
    toml::table out;
    auto type = device.choice("type", {{"RawConfig", "RawConfig"}});
    if (!type && !device.has("type"))
        device.missing("type");
    // Upstream reads an empty name as unset too.
    auto name = device.string("interfaceName");
    out.insert_or_assign("name",
                         name && !name->empty() ? *name : std::string(kUpstreamInterfaceName));
    const auto runtime = runtime_args(device.take("runtimeConfig"), sink);
    auto raw = device.take("rawConfig");
    if (!raw) {
        device.missing("rawConfig");
    } else if (raw->IsScalar()) {
        sink.error(sink.at(*raw),
                   fmt::format("rawConfig: expected the CNI configuration as a mapping, got {}: "
                               "upstream rejects a quoted JSON text too (JSON is YAML: write "
                               "the object without the quotes)",
                               raw->Tag() == "!" ? "a string" : "a scalar"));
    } else {
        Fields conf(*raw, "rawConfig", sink);
        check_cni_version(conf);
        conf.skip("name");  // the CNI network's name: it names no link
        note_cni_only(conf, "disableCheck");
        note_cni_only(conf, "disableGC");
        if (written(conf, "plugins")) {
            if (auto plugins = conf.sequence("plugins")) {
                if (plugins->empty())
                    conf.error("plugins", "an empty list: the configuration creates no link");
                for (size_t i = 0; i < plugins->size(); ++i) {
                    Fields p((*plugins)[i], fmt::format("plugins[{}]", i), sink);
                    if (i == 0) {
                        macvlan_plugin(p, true, runtime, out);
                        p.finish();
                        continue;
                    }
                    auto extra = p.string("type");
                    sink.error(p.pos(),
                               fmt::format("plugins[{}]: a second plugin{} has no equivalent: "
                                           "perouter's [underlay.macvlan] is the macvlan "
                                           "plugin alone; remove this one",
                                           i, extra ? fmt::format(" (\"{}\")", *extra) : ""));
                    skip_all(p);
                }
            }
        } else {
            // CNI's single-plugin form: the plugin's configuration is the whole object.
            macvlan_plugin(conf, false, runtime, out);
        }
        conf.finish();
    }
    device.finish();
    return out;
}

}  // namespace perouter::importer
