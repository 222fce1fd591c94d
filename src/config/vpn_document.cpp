#include "config/vpn_document.hpp"

#include <fmt/format.h>

#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

std::string vpn_name_problem(std::string_view name) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (name.empty())
        return "must not be empty";
    if (name.size() > kMaxVpnName)
        return fmt::format("longer than {} characters", kMaxVpnName);
    if (!alnum(name[0]))
        return "must start with a letter or digit";
    for (char c : name)
        if (!alnum(c) && c != '.' && c != '_' && c != '-')
            return "may only contain letters, digits, '.', '_' and '-'";
    return "";
}

namespace {
constexpr std::string_view kOneVpn =
    "a VPN document must contain exactly one [[l3vni]], [[l2vni]] or [[l3vpn]]";
}  // namespace

Result<std::string, Diagnostics> check_vpn_document(const ConfigText& doc, std::string_view name) {
    Diagnostics diags;
    auto table = parse_toml(doc, diags);
    if (!table)
        return fail(std::move(diags));
    const SourcePos top{doc.path, 1, 1};
    std::string kind;
    for (const auto& [key, node] : *table) {
        const SourcePos at = to_pos(node.source());
        if (key != "l3vni" && key != "l2vni" && key != "l3vpn") {
            diags.push_back({at, fmt::format("a VPN document may only contain one [[l3vni]], "
                                             "[[l2vni]] or [[l3vpn]], not '{}'",
                                             key.str())});
            continue;
        }
        const toml::array* entries = node.as_array();
        if (!entries || entries->size() != 1 || !kind.empty()) {
            diags.push_back({at, std::string(kOneVpn)});
            continue;
        }
        kind = std::string(key.str());
        const toml::table* vpn = (*entries)[0].as_table();
        const toml::node* n = vpn ? vpn->get("name") : nullptr;
        if (!n || !n->is_string()) {
            diags.push_back({vpn ? to_pos(vpn->source()) : at,
                             fmt::format("the {} needs name = \"{}\"", kind, name)});
        } else if (n->as_string()->get() != name) {
            diags.push_back(
                {to_pos(n->source()), fmt::format("the {} is named '{}', the request '{}'", kind,
                                                  n->as_string()->get(), name)});
        }
    }
    if (kind.empty() && diags.empty())
        diags.push_back({top, std::string(kOneVpn)});
    if (!diags.empty())
        return fail(std::move(diags));
    return kind;
}

namespace {

VpnRef ref(const Config&, const L3Vni& l3) {
    return {l3.name, VpnKind::L3vni, l3.vni, l3.vrf, l3.pos.of().file};
}

VpnRef ref(const Config&, const L3Vpn& l3) {
    return {l3.name, VpnKind::L3vpn, 0, l3.vrf, l3.pos.of().file};
}

VpnRef ref(const Config& cfg, const L2Vni& l2) {
    std::string vrf;
    for (const L3Vni& l3 : cfg.l3vnis)
        if (l2.routing_domain == l3.name)
            vrf = l3.vrf;
    for (const L3Vpn& l3 : cfg.l3vpns)
        if (l2.routing_domain == l3.name)
            vrf = l3.vrf;
    return {l2.name, VpnKind::L2vni, l2.vni, vrf, l2.pos.of().file};
}

}  // namespace

std::vector<VpnRef> vpns_of(const Config& cfg) {
    std::vector<VpnRef> out;
    out.reserve(cfg.l3vnis.size() + cfg.l2vnis.size() + cfg.l3vpns.size());
    for (const L3Vni& l3 : cfg.l3vnis)
        out.push_back(ref(cfg, l3));
    for (const L2Vni& l2 : cfg.l2vnis)
        out.push_back(ref(cfg, l2));
    for (const L3Vpn& l3 : cfg.l3vpns)
        out.push_back(ref(cfg, l3));
    return out;
}

std::optional<VpnRef> find_vpn(const Config& cfg, std::string_view name) {
    for (const L3Vni& l3 : cfg.l3vnis)
        if (l3.name == name)
            return ref(cfg, l3);
    for (const L2Vni& l2 : cfg.l2vnis)
        if (l2.name == name)
            return ref(cfg, l2);
    for (const L3Vpn& l3 : cfg.l3vpns)
        if (l3.name == name)
            return ref(cfg, l3);
    return std::nullopt;
}

VpnRef vpn_at(const Config& cfg, size_t i) {
    if (i < cfg.l3vnis.size())
        return ref(cfg, cfg.l3vnis.at(i));
    i -= cfg.l3vnis.size();
    if (i < cfg.l2vnis.size())
        return ref(cfg, cfg.l2vnis.at(i));
    return ref(cfg, cfg.l3vpns.at(i - cfg.l2vnis.size()));
}

std::vector<std::string_view> vpn_names(const Config& cfg) {
    std::vector<std::string_view> out;
    out.reserve(cfg.l3vnis.size() + cfg.l2vnis.size() + cfg.l3vpns.size());
    for (const L3Vni& l3 : cfg.l3vnis)
        out.emplace_back(l3.name);
    for (const L2Vni& l2 : cfg.l2vnis)
        out.emplace_back(l2.name);
    for (const L3Vpn& l3 : cfg.l3vpns)
        out.emplace_back(l3.name);
    return out;
}

}  // namespace perouter::config
