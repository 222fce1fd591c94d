#include "cli/status_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace perouter::cli {
namespace {

using nlohmann::json;

/// A scalar as text; "" for null, missing or structured values.
std::string text(const json& j) {
    if (j.is_string())
        return j.get<std::string>();
    if (j.is_boolean())
        return j.get<bool>() ? "yes" : "no";
    if (j.is_number())
        return j.dump();
    return "";
}

std::string field(const json& obj, const char* key) {
    if (!obj.is_object())
        return "";
    auto it = obj.find(key);
    return it == obj.end() ? "" : text(*it);
}

const json& member(const json& obj, const char* key) {
    static const json null;
    if (!obj.is_object())
        return null;
    auto it = obj.find(key);
    return it == obj.end() ? null : *it;
}

/// "Label: value" lines with the labels right-aligned, as `networkctl status` prints them;
/// continuation lines (empty label) align under the values.
class Fields {
  public:
    void add(std::string label, std::string value) {
        rows_.emplace_back(std::move(label), value.empty() ? "-" : std::move(value));
    }
    void more(std::string value) { rows_.emplace_back("", std::move(value)); }
    std::string str() const {
        size_t w = 0;
        for (const auto& [l, v] : rows_)
            w = std::max(w, l.size());
        std::string out;
        for (const auto& [l, v] : rows_)
            out += l.empty() ? fmt::format("{:>{}}  {}\n", "", w, v)
                             : fmt::format("{:>{}}: {}\n", l, w, v);
        return out;
    }

  private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

void add_list(Fields& f, const std::string& label, const json& items) {
    if (!items.is_array() || items.empty())
        return;
    bool first = true;
    for (const auto& i : items) {
        std::string t = text(i);
        if (first)
            f.add(label, t);
        else
            f.more(t);
        first = false;
    }
}

/// A configuration table as TOML dotted keys ("host_session.asn = 64514"); scalars and arrays
/// of scalars are spelled the same in JSON and TOML.
void flatten(const json& j, const std::string& prefix, std::string& out) {
    for (const auto& [k, v] : j.items()) {
        std::string key = prefix.empty() ? k : prefix + "." + k;
        if (v.is_object())
            flatten(v, key, out);
        else
            out += fmt::format("  {} = {}\n", key,
                               v.dump(-1, ' ', false, json::error_handler_t::replace));
    }
}

}  // namespace

/// An SRv6 L3VPN's SIDs in one cell: "IPV4SID,IPV6SID" ("-" for one bgpd has not given yet);
/// "" for a VPN without a "sids" member (the other kinds).
std::string sids_cell(const json& vpn) {
    const json& s = member(vpn, "sids");
    if (!s.is_object())
        return "";
    auto one = [&](const char* family) {
        std::string v = field(s, family);
        return v.empty() ? std::string("-") : v;
    };
    return one("ipv4") + "," + one("ipv6");
}

Table vpn_table(const json& describe) {
    Table t{{"NAME", "KIND", "VNI", "VRF", "STATE", "SOURCE"}, {}};
    const json& vpns = member(describe, "vpns");
    if (!vpns.is_array())
        return t;
    // A SIDS column (End.DT4 and End.DT6 SID) only on nodes with SRv6 L3VPNs, which have no
    // VNI: the listing of every other node reads as it always did.
    const bool srv6 = std::any_of(vpns.begin(), vpns.end(),
                                  [](const json& v) { return member(v, "sids").is_object(); });
    if (srv6)
        t.header.insert(t.header.end() - 1, "SIDS");
    for (const auto& v : vpns) {
        const bool l3vpn = member(v, "sids").is_object();
        std::vector<std::string> row{
            field(v, "name"), field(v, "kind"),  l3vpn ? std::string("-") : field(v, "vni"),
            field(v, "vrf"),  field(v, "state"), field(v, "source")};
        if (srv6)
            row.insert(row.end() - 1, l3vpn ? sids_cell(v) : std::string("-"));
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string vpn_names(const json& describe) {
    std::string out;
    const json& vpns = member(describe, "vpns");
    if (vpns.is_array())
        for (const auto& v : vpns)
            if (auto n = field(v, "name"); !n.empty())
                out += n + "\n";
    return out;
}

bool is_online(const json& describe) {
    const json& o = member(describe, "online");
    return o.is_boolean() && o.get<bool>();
}

/// A value of several lines: the first under `label`, the others below it.
static void add_lines(Fields& f, const char* label, const std::string& value) {
    size_t start = 0;
    bool first = true;
    do {
        size_t end = value.find('\n', start);
        std::string line = value.substr(start, end == std::string::npos ? end : end - start);
        if (first)
            f.add(label, line);
        else if (!line.empty())
            f.more(line);
        first = false;
        start = end == std::string::npos ? end : end + 1;
    } while (start != std::string::npos && start < value.size());
}

std::string format_status(const json& describe, bool legend) {
    Fields f;
    f.add("State", field(describe, "state"));
    f.add("Online",
          member(describe, "online").is_null() ? "" : (is_online(describe) ? "yes" : "no"));
    f.add("Underlay", field(describe, "underlay_state"));
    const json& peers = member(describe, "peers");
    if (peers.is_object())
        for (const auto& [addr, state] : peers.items())
            f.more(fmt::format("peer {}: {}", addr, text(state).empty() ? "-" : text(state)));
    const json& dhcp = member(describe, "dhcp");
    if (dhcp.is_object()) {
        std::string leased;
        for (const auto& a : member(dhcp, "leased"))
            leased += (leased.empty() ? "" : ", ") + text(a);
        const json& running = member(dhcp, "running");
        f.more(
            fmt::format("dhcp on {}: {} (client {})", field(dhcp, "link"),
                        leased.empty() ? "no lease yet" : leased,
                        running.is_boolean() && running.get<bool>() ? "running" : "not running"));
    }
    f.add("Namespace", field(describe, "netns"));
    f.add("Version", field(describe, "version"));
    const json& missing = member(describe, "online_missing");
    if (!is_online(describe) && missing.is_array())
        add_list(f, "Waiting for", missing);
    if (member(describe, "last_good").is_boolean() && member(describe, "last_good").get<bool>())
        f.add("Configuration", "the LAST GOOD one (the files on disk are invalid)");
    // Older daemons have only last_error; each may hold several FILE:LINE:COL lines.
    const bool split = describe.is_object() && describe.contains("config_error");
    add_lines(f, split ? "Config error" : "Last error",
              field(describe, split ? "config_error" : "last_error"));
    if (split)
        add_lines(f, "Apply error", field(describe, "apply_error"));
    const json& failed = member(describe, "failed_files");
    if (failed.is_array())
        for (const auto& ff : failed)
            f.more(fmt::format("{} {}", field(ff, "state"), field(ff, "path")));
    add_list(f, "Warnings", member(describe, "warnings"));
    const json& rec = member(describe, "last_reconcile");
    if (rec.is_object()) {
        if (auto c = field(rec, "changes"); !c.empty())
            f.add("Last apply", fmt::format("{} change{}", c, c == "1" ? "" : "s"));
        add_list(f, "Problems", member(rec, "problems"));
        add_list(f, "Errors", member(rec, "errors"));
    }
    std::string out = f.str();
    Table t = vpn_table(describe);
    out += "\n";
    out += render_listing(t, legend, "vpn", "vpns");
    return out;
}

std::optional<json> find_vpn(const json& describe, std::string_view name) {
    const json& vpns = member(describe, "vpns");
    if (!vpns.is_array())
        return std::nullopt;
    for (const auto& v : vpns) {
        if (field(v, "name") != name)
            continue;
        json out = v;
        const json& cfg = member(member(describe, "config"), field(v, "kind").c_str());
        if (cfg.is_array())
            for (const auto& entry : cfg)
                if (field(entry, "name") == name)
                    out["config"] = entry;
        return out;
    }
    return std::nullopt;
}

std::string format_vpn(const json& vpn) {
    Fields f;
    f.add("Name", field(vpn, "name"));
    f.add("Kind", field(vpn, "kind"));
    const json& sids = member(vpn, "sids");
    if (!sids.is_object())
        f.add("VNI", field(vpn, "vni"));
    f.add("VRF", field(vpn, "vrf"));
    if (sids.is_object()) {
        // "-" until bgpd has given the VRF its SID for the family.
        f.add("IPv4 SID", field(sids, "ipv4"));
        f.add("IPv6 SID", field(sids, "ipv6"));
    }
    f.add("State", field(vpn, "state"));
    f.add("Source", field(vpn, "source"));
    if (auto e = field(vpn, "error"); !e.empty())
        f.add("Error", e);
    std::string out = f.str();
    const json& cfg = member(vpn, "config");
    if (cfg.is_object()) {
        json c = cfg;
        // Shown above already.
        for (const char* k : {"name", "source"})
            c.erase(k);
        out += "\nConfiguration:\n";
        flatten(c, "", out);
    }
    return out;
}

}  // namespace perouter::cli
