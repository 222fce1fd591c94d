#include "cli/vpn_builder.hpp"

#include <fmt/format.h>

#include "common/ip.hpp"
#include "config/model.hpp"

namespace perouter::cli {
namespace {

/// Parses a list of ADDR/LEN values, at most one per address family. Returns (ipv4, ipv6).
Result<std::pair<std::optional<IpPrefix>, std::optional<IpPrefix>>> by_family(
    const std::vector<std::string>& values, std::string_view flag) {
    std::optional<IpPrefix> v4, v6;
    for (const auto& v : values) {
        auto p = IpPrefix::parse(v);
        if (!p)
            return fail(fmt::format("{} '{}': expected ADDRESS/LENGTH", flag, v));
        auto& slot = p->family() == Family::V4 ? v4 : v6;
        if (slot)
            return fail(fmt::format("{}: at most one IPv4 and one IPv6 value", flag));
        slot = *p;
    }
    return std::make_pair(v4, v6);
}

Status reject_flags(VpnKind kind, std::initializer_list<std::pair<bool, const char*>> flags) {
    for (const auto& [given, flag] : flags)
        if (given)
            return fail(fmt::format("{} does not apply to --{}", flag, to_string(kind)));
    return {};
}

/// The host_master line for `flag` VALUE: "managed" (perouterd creates br-hs-<vni>, which has
/// no name in the document) or an existing bridge, named, with lifecycle "external".
Result<std::string> host_master_line(config::HostMasterType type, std::string_view flag,
                                     const std::string& value) {
    using config::HostMasterLifecycle;
    if (value.empty())
        return fail(fmt::format("{} needs 'managed' or the name of an existing bridge", flag));
    auto lifecycle =
        value == "managed" ? HostMasterLifecycle::Managed : HostMasterLifecycle::External;
    std::string fields = fmt::format("type = {}, lifecycle = {}", toml_string(to_string(type)),
                                     toml_string(to_string(lifecycle)));
    if (lifecycle == HostMasterLifecycle::External)
        fields += fmt::format(", name = {}", toml_string(value));
    return fmt::format("host_master = {{ {} }}\n", fields);
}

/// What an L3VNI and an L3VPN share: the default gateway line and the host session table
/// ([<table>.host_session]), appended to `doc`.
Result<std::string> routed_tail(const VpnSpec& s, std::string doc) {
    if (s.default_gateway)
        doc += "default_gateway = true\n";
    bool session = s.asn || s.host_asn || !s.local_cidrs.empty();
    if (!session)
        return doc;
    if (!s.asn || !s.host_asn || s.local_cidrs.empty())
        return fail("a host session needs --asn, --host-asn and --local-cidr together");
    auto cidrs = by_family(s.local_cidrs, "--local-cidr");
    if (!cidrs)
        return fail(cidrs.error());
    std::string pools;
    if (cidrs->first)
        pools += fmt::format("ipv4 = {}", toml_string(cidrs->first->str()));
    if (cidrs->second)
        pools += fmt::format("{}ipv6 = {}", pools.empty() ? "" : ", ",
                             toml_string(cidrs->second->str()));
    doc += fmt::format("\n[{}.host_session]\nasn = {}\nhost_asn = {}\nlocal_cidr = {{ {} }}\n",
                       to_string(*s.kind), *s.asn, *s.host_asn, pools);
    return doc;
}

Result<std::string> l3vni_document(const VpnSpec& s) {
    PEROUTER_TRY(
        reject_flags(VpnKind::L3vni, {{!s.routing_domain.empty(), "--routing-domain"},
                                      {!s.gateway_ips.empty(), "--gateway-ip"},
                                      {s.host_bridge.has_value(), "--host-bridge"},
                                      {s.ovs_bridge.has_value(), "--ovs-bridge"},
                                      {s.rd_assigned_number.has_value(), "--rd-assigned-number"},
                                      {!s.import_rts.empty(), "--import-rt"}}));
    if (s.vrf.empty())
        return fail(std::string("--l3vni needs --vrf"));
    return routed_tail(s, fmt::format("[[l3vni]]\nname = {}\nvrf = {}\nvni = {}\n",
                                      toml_string(s.name), toml_string(s.vrf), *s.vni));
}

Result<std::string> l3vpn_document(const VpnSpec& s) {
    PEROUTER_TRY(reject_flags(VpnKind::L3vpn, {{s.vni.has_value(), "--vni"},
                                               {!s.routing_domain.empty(), "--routing-domain"},
                                               {!s.gateway_ips.empty(), "--gateway-ip"},
                                               {s.host_bridge.has_value(), "--host-bridge"},
                                               {s.ovs_bridge.has_value(), "--ovs-bridge"}}));
    if (s.vrf.empty() || !s.rd_assigned_number || s.import_rts.empty())
        return fail(std::string("--l3vpn needs --vrf, --rd-assigned-number and --import-rt"));
    std::string rts;
    for (const auto& rt : s.import_rts)
        rts += fmt::format("{}{}", rts.empty() ? "" : ", ", toml_string(rt));
    return routed_tail(
        s,
        fmt::format("[[l3vpn]]\nname = {}\nvrf = {}\nrd_assigned_number = {}\nimport_rts = [{}]\n",
                    toml_string(s.name), toml_string(s.vrf), *s.rd_assigned_number, rts));
}

Result<std::string> l2vni_document(const VpnSpec& s) {
    PEROUTER_TRY(
        reject_flags(VpnKind::L2vni, {{!s.vrf.empty(), "--vrf"},
                                      {s.default_gateway, "--default-gateway"},
                                      {s.asn.has_value(), "--asn"},
                                      {s.host_asn.has_value(), "--host-asn"},
                                      {!s.local_cidrs.empty(), "--local-cidr"},
                                      {s.rd_assigned_number.has_value(), "--rd-assigned-number"},
                                      {!s.import_rts.empty(), "--import-rt"}}));
    std::string doc = fmt::format("[[l2vni]]\nname = {}\nvni = {}\n", toml_string(s.name), *s.vni);
    if (!s.routing_domain.empty())
        doc += fmt::format("routing_domain = {}\n", toml_string(s.routing_domain));
    if (!s.gateway_ips.empty()) {
        auto ips = by_family(s.gateway_ips, "--gateway-ip");
        if (!ips)
            return fail(ips.error());
        std::string list;
        for (const auto& p : {ips->first, ips->second})
            if (p)
                list += fmt::format("{}{}", list.empty() ? "" : ", ", toml_string(p->str()));
        doc += fmt::format("gateway_ips = [{}]\n", list);
    }
    if (s.host_bridge && s.ovs_bridge)
        return fail(
            std::string("give --host-bridge (a Linux bridge) or --ovs-bridge (an Open vSwitch "
                        "bridge), not both"));
    if (s.host_bridge || s.ovs_bridge) {
        auto line = s.host_bridge ? host_master_line(config::HostMasterType::LinuxBridge,
                                                     "--host-bridge", *s.host_bridge)
                                  : host_master_line(config::HostMasterType::OvsBridge,
                                                     "--ovs-bridge", *s.ovs_bridge);
        if (!line)
            return fail(line.error());
        doc += *line;
    }
    return doc;
}

}  // namespace

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f)
                    out += fmt::format("\\u{:04X}", u);
                else
                    out += c;
        }
    }
    out += '"';
    return out;
}

Result<std::string> vpn_document(const VpnSpec& spec) {
    if (spec.kind == VpnKind::L3vpn)
        return l3vpn_document(spec);
    if (spec.kind != VpnKind::L2vni && spec.kind != VpnKind::L3vni)
        return fail("give --l2vni, --l3vni or --l3vpn (or a FILE with the VPN's TOML)");
    if (!spec.vni)
        return fail(fmt::format("--{} needs --vni", to_string(*spec.kind)));
    return spec.kind == VpnKind::L3vni ? l3vni_document(spec) : l2vni_document(spec);
}

}  // namespace perouter::cli
