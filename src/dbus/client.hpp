// Client side of org.openperouter.Router1, for perouterctl and tests. Blocking calls on a
// private connection; errors come back as values carrying the D-Bus error name, so callers can
// map them to exit codes (InvalidConfig messages hold one "FILE:LINE:COL: message" per line).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dbus/states.hpp"

namespace perouter::dbus {

/// A failed call: the D-Bus error name (e.g. "org.openperouter.Router1.Error.InvalidConfig",
/// "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.ServiceUnknown"),
/// its message and the errno sd-bus maps it to (positive).
struct BusError {
    std::string name;
    std::string message;
    int code = 0;
};

template <class T>
using BusResult = Result<T, BusError>;

/// The Manager's properties. A state or kind this client does not know (another version of
/// perouterd) reads as Unknown.
struct ManagerProperties {
    std::string state;
    UnderlayState underlay_state = UnderlayState::Unknown;
    std::string last_error;
    std::string version;
    friend bool operator==(const ManagerProperties&, const ManagerProperties&) = default;
};

/// One VPN object's properties.
struct VpnProperties {
    std::string name;
    VpnKind kind = VpnKind::Unknown;
    uint32_t vni = 0;
    std::string vrf;
    VpnState state = VpnState::Unknown;
    std::string source;
    std::string error;
    std::string ipv4_sid;  // l3vpn: its VRF's SIDs, "" when none
    std::string ipv6_sid;
    friend bool operator==(const VpnProperties&, const VpnProperties&) = default;
};

/// An entry of ListVpns().
struct VpnEntry {
    std::string name;
    std::string path;
    friend bool operator==(const VpnEntry&, const VpnEntry&) = default;
};

/// A signal from the router, as received after watch().
struct RouterSignal {
    enum class Kind { PropertiesChanged, InterfacesAdded, InterfacesRemoved };
    Kind kind = Kind::PropertiesChanged;
    std::string path;
    /// PropertiesChanged: the one interface; Interfaces*: every interface named.
    std::vector<std::string> interfaces;
    /// PropertiesChanged: changed and invalidated property names, in message order.
    std::vector<std::string> properties;
};

class RouterClient {
  public:
    /// Connects to `address`, or to the system bus when it is empty (DBUS_SYSTEM_BUS_ADDRESS is
    /// honoured). Interactive authorization is allowed by default, like busctl.
    static BusResult<RouterClient> connect(const std::string& address = {});

    RouterClient(RouterClient&&) noexcept;
    RouterClient& operator=(RouterClient&&) noexcept;
    ~RouterClient();

    /// Whether polkit may ask the user for a password (ALLOW_INTERACTIVE_AUTHORIZATION).
    void set_interactive_authorization(bool allow);
    /// Method-call timeout; default kLongCallTimeoutUsec (300 s), because mutating calls
    /// return only once the change is applied.
    void set_call_timeout(std::chrono::microseconds timeout);

    BusResult<void> reload();
    /// Every error of the configuration with `toml` added as one more drop-in; empty = valid.
    BusResult<std::vector<std::string>> validate(const std::string& toml);
    /// The new VPN's object path.
    BusResult<std::string> add_vpn(const std::string& name, const std::string& toml, bool persist);
    BusResult<void> remove_vpn(const std::string& name);
    BusResult<std::vector<VpnEntry>> list_vpns();
    /// The daemon's JSON document (status, merged configuration, VPNs, peers).
    BusResult<std::string> describe();
    BusResult<ManagerProperties> status();
    /// A VPN's properties; a VPN that does not exist is reported as NoSuchVpn.
    BusResult<VpnProperties> vpn(const std::string& name);

    /// Subscribes to the router's PropertiesChanged and InterfacesAdded/Removed signals;
    /// later calls do nothing. Signals received from then on are queued for wait_signals().
    BusResult<void> watch();
    /// Returns the queued signals, waiting up to `timeout` for at least one; empty on timeout.
    BusResult<std::vector<RouterSignal>> wait_signals(std::chrono::milliseconds timeout);

    /// Waits until `done(status())` holds, re-reading the properties whenever the router
    /// signals a change and at least every `poll` (so a daemon that starts or restarts
    /// meanwhile is noticed too). Returns the properties that satisfied `done`, or on timeout
    /// org.freedesktop.DBus.Error.Timeout (ETIMEDOUT) with the last state or error seen.
    BusResult<ManagerProperties> wait_for_status(
        const std::function<bool(const ManagerProperties&)>& done,
        std::chrono::milliseconds timeout,
        std::chrono::milliseconds poll = std::chrono::seconds(1));

  private:
    struct Impl;
    explicit RouterClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace perouter::dbus
