#include "frr/srv6_sids.hpp"

namespace perouter::frr {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// "none" is FRR's word for no SID yet.
std::string sid_value(std::string_view v) {
    v = trim(v);
    return v == "none" ? std::string() : std::string(v);
}

}  // namespace

std::map<std::string, VrfSids> parse_srv6_sids(std::string_view text) {
    // The instances follow "bgps:" as YAML-like items:
    //   - name: red
    //     vpn_policy[AFI_IP].tovpn_sid: fd00:0:1:0:100::
    //     vpn_policy[AFI_IP6].tovpn_sid: none
    constexpr std::string_view kName = "- name:";
    constexpr std::string_view kIpv4 = "vpn_policy[AFI_IP].tovpn_sid:";
    constexpr std::string_view kIpv6 = "vpn_policy[AFI_IP6].tovpn_sid:";
    std::map<std::string, VrfSids> out;
    bool in_bgps = false;
    VrfSids* current = nullptr;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line == "bgps:") {
            in_bgps = true;
            continue;
        }
        if (!in_bgps)
            continue;
        if (line.starts_with(kName))
            current = &out[std::string(trim(line.substr(kName.size())))];
        else if (current != nullptr && line.starts_with(kIpv4))
            current->ipv4 = sid_value(line.substr(kIpv4.size()));
        else if (current != nullptr && line.starts_with(kIpv6))
            current->ipv6 = sid_value(line.substr(kIpv6.size()));
    }
    return out;
}

}  // namespace perouter::frr
