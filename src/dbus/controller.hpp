// What the control surfaces (D-Bus, and through it perouterctl) may ask of the daemon. The
// D-Bus layer depends only on this interface, so it is tested against a fake and the daemon
// can change without touching it.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/source_pos.hpp"
#include "dbus/states.hpp"

namespace perouter::dbus {

/// Why a control request failed; each kind maps to one D-Bus error name
/// (org.openperouter.Router1.Error.<Kind>, or the standard ones for InvalidArgs/AccessDenied).
enum class ControlErrorKind {
    InvalidConfig,  // the resulting configuration does not validate (diagnostics say where)
    NoSuchVpn,
    VpnExists,
    ReadOnly,  // the VPN is defined in a file the API does not own (e.g. the main file)
    InvalidArgs,
    Failed,  // anything else (I/O, apply errors)
};

struct ControlError {
    ControlErrorKind kind = ControlErrorKind::Failed;
    std::string message;      // one line for humans
    Diagnostics diagnostics;  // InvalidConfig: every FILE:LINE:COL error
};

template <class T>
using ControlResult = Result<T, ControlError>;

/// The error of a call whose configuration does not stand: one line, and every FILE:LINE:COL
/// diagnostic (the D-Bus layer appends them after the line).
inline ControlError invalid_config(Diagnostics ds) {
    ControlError e{ControlErrorKind::InvalidConfig, {}, std::move(ds)};
    e.message = fmt::format("invalid configuration ({} error{})", e.diagnostics.size(),
                            e.diagnostics.size() == 1 ? "" : "s");
    return e;
}

/// One VPN as the API shows it.
struct VpnInfo {
    std::string name;
    VpnKind kind = VpnKind::L3vni;
    uint32_t vni = 0;
    std::string vrf;  // l3vni: its VRF; l2vni: its routing domain's VRF, or ""
    VpnState state = VpnState::Pending;
    SourceFile source;  // the file that defines it (one path string for the file's VPNs)
    std::string error;  // why it failed, "" otherwise
    // l3vpn: the SIDs bgpd gave its VRF (End.DT4 for IPv4, End.DT6 for IPv6), "" until it has
    // one (and for the other kinds)
    std::string ipv4_sid;
    std::string ipv6_sid;
    friend bool operator==(const VpnInfo&, const VpnInfo&) = default;
};

/// The manager's properties. Configuration errors (files rejected or left out) and apply errors
/// (kernel or FRR changes that failed) are kept apart: a later successful apply clears the apply
/// error and leaves the configuration error, and a later good load the other way round.
struct ManagerStatus {
    std::string state;  // "starting", "running", "degraded", "failed", "reloading", "stopping"
    UnderlayState underlay_state = UnderlayState::Unconfigured;
    std::string last_error;  // config_error if any, else apply_error; "" when none
    std::string version;
    std::string config_error;  // why files were rejected or left out; "" when every file stood
    std::string apply_error;   // the last reconcile's first error; "" when it converged
    std::vector<std::string> failed_files;  // configuration files left out or rejected
    friend bool operator==(const ManagerStatus&, const ManagerStatus&) = default;
};

class Controller {
  public:
    virtual ~Controller() = default;

    /// Reads the configuration again and applies it; returns once applied. A configuration that
    /// does not validate is rejected whole (InvalidConfig) and nothing changes.
    virtual ControlResult<void> reload() = 0;

    /// Validates `toml` as one more drop-in on top of the current files. Empty = valid.
    virtual Diagnostics validate(const std::string& toml) = 0;

    /// Validates the VPN document (exactly one [[l3vni]], [[l2vni]] or [[l3vpn]] named `name`,
    /// nothing else), writes it atomically as perouter.d/50-<name>.toml under /run (persist =
    /// false) or /etc (persist = true), and returns once it is applied.
    virtual ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                        bool persist) = 0;

    /// Removes the drop-in that add_vpn wrote for `name` and returns once applied. A VPN
    /// defined in any other file is ReadOnly.
    virtual ControlResult<void> remove_vpn(const std::string& name) = 0;

    virtual std::vector<VpnInfo> vpns() const = 0;
    /// The entry of vpns() named `name` (the last one, as the merge counts), without making
    /// the others: AddVpn and RemoveVpn reply once that VPN's object is up to date.
    virtual std::optional<VpnInfo> vpn(std::string_view name) const {
        std::vector<VpnInfo> all = vpns();
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (it->name == name)
                return std::move(*it);
        return std::nullopt;
    }
    virtual ManagerStatus status() const = 0;
    /// Everything in one document: status, the merged configuration, VPNs, underlay peers.
    virtual nlohmann::json describe() const = 0;

    /// Called by the daemon after anything that may change status() or vpns(); the D-Bus layer
    /// registers here to emit PropertiesChanged and add/remove VPN objects.
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }

  protected:
    void changed() const {
        if (on_change_)
            on_change_();
    }

  private:
    std::function<void()> on_change_;
};

}  // namespace perouter::dbus
