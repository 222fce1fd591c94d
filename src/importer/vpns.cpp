// VPNs and the passthrough: upstream's L3VNISpec, L2VNISpec and L3PassthroughSpec (with their
// HostSession) -> [[l3vni]], [[l2vni]], [passthrough].
#include <fmt/format.h>

#include "importer/convert.hpp"

namespace perouter::importer {
namespace {

const std::initializer_list<Spelling> kFamilies = {{"IPv4", "ipv4"}, {"IPv6", "ipv6"}};

/// hostSession: {asn, hostASN | hostType, localCIDR: {ipv4, ipv6}} -> host_session.
void host_session(Fields& spec, toml::table& out) {
    auto node = spec.take("hostSession");
    if (!node)
        return;
    Fields h(*node, "hostSession", spec.sink());
    toml::table t;
    put(t, "asn", h.integer("asn"));
    put(t, "host_asn", h.integer("hostASN"));
    put(t, "host_type", h.choice("hostType", {{"External", "external"}, {"Internal", "internal"}}));
    if (auto cidr = h.take("localCIDR")) {
        Fields c(*cidr, "localCIDR", spec.sink());
        toml::table l;
        put(l, "ipv4", c.string("ipv4"));
        put(l, "ipv6", c.string("ipv6"));
        c.finish();
        t.insert_or_assign("local_cidr", inline_table(std::move(l)));
    }
    h.finish();
    out.insert_or_assign("host_session", std::move(t));
}

/// The fields L3VNI and L2VNI share.
void vni_common(Fields& spec, const std::string& name, toml::table& t) {
    t.insert_or_assign("name", name);
    put(t, "vni", spec.integer("vni"));
    put(t, "vxlan_port", spec.integer("vxlanPort"));
    put(t, "underlay_address_family", spec.choice("underlayAddressFamily", kFamilies));
    if (auto rts = spec.strings("exportRTs"))
        t.insert_or_assign("export_rts", string_array(*rts));
    if (auto rts = spec.strings("importRTs"))
        t.insert_or_assign("import_rts", string_array(*rts));
}

/// routingDomain: {type: L3VNI, l3vni: {name}} -> routing_domain = "name".
void routing_domain(Fields& spec, toml::table& out) {
    auto node = spec.take("routingDomain");
    if (!node)
        return;
    Fields rd(*node, "routingDomain", spec.sink());
    auto type = rd.string("type");
    if (!type) {
        if (!rd.has("type"))
            rd.missing("type");
        rd.skip("l3vni");
        rd.skip("l3vpn");
    } else if (*type == "L3VNI") {
        auto ref = rd.take("l3vni");
        if (!ref) {
            rd.missing("l3vni");
        } else {
            Fields l3(*ref, "l3vni", spec.sink());
            auto name = l3.string("name");
            if (name)
                out.insert_or_assign("routing_domain", std::move(*name));
            else if (!l3.has("name"))
                l3.missing("name");
            l3.finish();
        }
        rd.refuse("l3vpn", "set with type L3VNI");
    } else if (*type == "L3VPN") {
        rd.error("type", fmt::format("an L3VPN routing domain is not imported: {}; then name the "
                                     "[[l3vpn]] as the L2VNI's routing_domain",
                                     kSrv6NotImported));
        rd.skip("l3vni");
        rd.skip("l3vpn");
    } else {
        rd.error("type", fmt::format("\"{}\" is not one of \"L3VNI\", \"L3VPN\"", *type));
        rd.skip("l3vni");
        rd.skip("l3vpn");
    }
    rd.finish();
}

/// hostMaster: {type: LinuxBridge|OVSBridge, linuxBridge|ovsBridge: {lifecycle, name}} ->
/// host_master = {type = "linux-bridge"|"ovs-bridge", lifecycle, name}.
void host_master(Fields& spec, toml::table& out) {
    auto node = spec.take("hostMaster");
    if (!node)
        return;
    Fields hm(*node, "hostMaster", spec.sink());
    auto type = hm.choice("type", {{"LinuxBridge", "linux-bridge"}, {"OVSBridge", "ovs-bridge"}});
    std::string_view key = type == "ovs-bridge" ? "ovsBridge" : "linuxBridge";
    std::string_view other = key == "ovsBridge" ? "linuxBridge" : "ovsBridge";
    if (!type) {
        if (!hm.has("type"))
            hm.missing("type");
        hm.skip("linuxBridge");
        hm.skip("ovsBridge");
        hm.finish();
        return;
    }
    toml::table t;
    t.insert_or_assign("type", *type);
    auto bridge = hm.take(key);
    if (!bridge) {
        hm.missing(key);
    } else {
        Fields b(*bridge, std::string(key), spec.sink());
        auto lifecycle = b.choice("lifecycle", {{"Managed", "managed"}, {"External", "external"}});
        auto name = b.string("name");
        // Upstream treats a missing lifecycle as not Managed, which needs a name: an existing
        // bridge. perouter's default is managed, so say it.
        if (!lifecycle && !b.has("lifecycle")) {
            if (name)
                lifecycle = "external";
            else
                b.error("lifecycle",
                        "missing: upstream needs lifecycle Managed, or a bridge name (External)");
        }
        put(t, "lifecycle", lifecycle);
        put(t, "name", name);
        b.finish();
    }
    hm.refuse(other,
              fmt::format("set with type {}", key == "ovsBridge" ? "OVSBridge" : "LinuxBridge"));
    hm.finish();
    out.insert_or_assign("host_master", inline_table(std::move(t)));
}

}  // namespace

toml::table convert_l3vni(Fields& spec, const std::string& name) {
    toml::table t;
    vni_common(spec, name, t);
    put(t, "vrf", spec.string("vrf"));
    host_session(spec, t);
    spec.finish();
    return t;
}

toml::table convert_l2vni(Fields& spec, const std::string& name) {
    toml::table t;
    vni_common(spec, name, t);
    routing_domain(spec, t);
    if (auto ips = spec.strings("gatewayIPs"))
        t.insert_or_assign("gateway_ips", string_array(*ips));
    host_master(spec, t);
    spec.finish();
    return t;
}

toml::table convert_passthrough(Fields& spec) {
    toml::table t;
    host_session(spec, t);
    spec.finish();
    return t;
}

}  // namespace perouter::importer
