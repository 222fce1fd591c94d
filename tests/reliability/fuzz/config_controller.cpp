#include "config_controller.hpp"

#include <cstdio>
#include <cstdlib>

#include "config/to_json.hpp"
#include "config/vpn_document.hpp"

namespace perouter::fuzz {
namespace {

constexpr const char* kMainPath = "/etc/perouter/perouter.toml";
constexpr const char* kMain = R"([node]
index = 1

[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]

[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"

[[l3vni]]
name = "red"
vrf = "red"
vni = 100
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.10.0/24" }
)";

dbus::ControlError invalid_args(const std::string& name, const std::string& problem) {
    return {dbus::ControlErrorKind::InvalidArgs, "invalid vpn name '" + name + "': " + problem, {}};
}

dbus::ControlError invalid_config(Diagnostics d) {
    return {dbus::ControlErrorKind::InvalidConfig, "The configuration is invalid", std::move(d)};
}

}  // namespace

ConfigController::ConfigController() {
    status_.state = "running";
    status_.underlay_state = dbus::UnderlayState::Established;
    status_.version = "fuzz";
    publish();
}

std::vector<config::ConfigText> ConfigController::texts() const {
    std::vector<config::ConfigText> out{{kMainPath, kMain, /*main=*/true}};
    for (const auto& [file, text] : dropins_)
        out.push_back(text);
    return out;
}

void ConfigController::publish() {
    auto cfg = config::parse(texts());
    if (!cfg.ok()) {
        // add_vpn admitted only texts that parse_with accepted with exactly these files.
        std::fprintf(stderr, "accepted drop-ins no longer parse: %s\n",
                     cfg.error().empty() ? "?" : cfg.error().front().str().c_str());
        std::abort();
    }
    config_ = std::move(*cfg);
    vpns_.clear();
    for (const auto& v : config::vpns_of(config_))
        vpns_.push_back(
            {v.name, v.kind, v.vni, v.vrf, dbus::VpnState::Configured, v.source, "", "", ""});
    changed();
}

dbus::ControlResult<void> ConfigController::reload() {
    publish();
    return {};
}

Diagnostics ConfigController::validate(const std::string& toml) {
    auto r = config::parse_with(texts(), {"<validate>", toml});
    return r.ok() ? Diagnostics{} : std::move(r).error();
}

dbus::ControlResult<void> ConfigController::add_vpn(const std::string& name,
                                                    const std::string& toml, bool persist) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(invalid_args(name, p));
    const std::string file = "50-" + name + ".toml";
    const std::string target =
        std::string(persist ? "/etc" : "/run") + "/perouter/perouter.d/" + file;
    auto kind = config::check_vpn_document({target, toml}, name);
    if (!kind.ok())
        return fail(invalid_config(std::move(kind).error()));
    if (dropins_.count(file) != 0)
        return fail(dbus::ControlError{
            dbus::ControlErrorKind::VpnExists, dropins_[file].path + " already exists", {}});
    for (const auto& v : vpns_)
        if (v.name == name)
            return fail(dbus::ControlError{
                dbus::ControlErrorKind::VpnExists, "vpn '" + name + "' already exists", {}});
    if (auto merged = config::parse_with(texts(), {target, toml}); !merged.ok())
        return fail(invalid_config(std::move(merged).error()));
    dropins_[file] = {target, toml};
    publish();
    return {};
}

dbus::ControlResult<void> ConfigController::remove_vpn(const std::string& name) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(invalid_args(name, p));
    auto it = dropins_.find("50-" + name + ".toml");
    if (it == dropins_.end()) {
        for (const auto& v : vpns_)
            if (v.name == name)
                return fail(dbus::ControlError{dbus::ControlErrorKind::ReadOnly,
                                               "vpn '" + name + "' is defined in " + v.source.str(),
                                               {}});
        return fail(dbus::ControlError{
            dbus::ControlErrorKind::NoSuchVpn, "no vpn named '" + name + "'", {}});
    }
    dropins_.erase(it);
    publish();
    return {};
}

nlohmann::json ConfigController::describe() const {
    nlohmann::json j;
    j["state"] = status_.state;
    j["config"] = config::to_json(config_);
    j["vpns"] = nlohmann::json::array();
    for (const auto& v : vpns_)
        j["vpns"].push_back({{"name", v.name}, {"vni", v.vni}, {"source", v.source}});
    return j;
}

}  // namespace perouter::fuzz
