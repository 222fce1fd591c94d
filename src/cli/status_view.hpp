// Human views of perouterd's Describe() document (see perouter-dbus(7)): `status`, `vpn list`
// and `vpn show`. Pure: they take the parsed document, so a test can feed them any daemon's.
// Fields a daemon does not send are shown as "-", never guessed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cli/table.hpp"

namespace perouter::cli {

/// NAME KIND VNI VRF STATE SOURCE, one row per entry of "vpns".
Table vpn_table(const nlohmann::json& describe);

/// The VPN names of "vpns", one per line (for shell completion).
std::string vpn_names(const nlohmann::json& describe);

/// `perouterctl status`: the router's state, online, the underlay and each peer, the last
/// reconcile's problems and errors, then the VPN listing.
std::string format_status(const nlohmann::json& describe, bool legend);

/// One VPN: its entry of "vpns" plus, under "config", its table from the merged configuration
/// ("config"."l3vni"/"l2vni"). nullopt when the daemon has no VPN of that name.
std::optional<nlohmann::json> find_vpn(const nlohmann::json& describe, std::string_view name);

/// `perouterctl vpn show`: the properties, then every configuration setting as a dotted key.
std::string format_vpn(const nlohmann::json& vpn);

/// Describe's "online" (false when absent: an older or starting daemon is not online).
bool is_online(const nlohmann::json& describe);

}  // namespace perouter::cli
