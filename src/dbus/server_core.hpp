// Internal to the server: the state the vtable callbacks (manager_object.cpp, vpn_object.cpp)
// share. Everything here runs on the daemon's event loop thread.
#pragma once

#include <systemd/sd-bus.h>

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dbus/authorization.hpp"
#include "dbus/bus.hpp"
#include "dbus/controller.hpp"
#include "dbus/names.hpp"
#include "dbus/reply_limits.hpp"
#include "dbus/states.hpp"

namespace perouter::dbus::detail {

/// A string property's value: a text bounded as every reply is (reply_limits.hpp), or a state's
/// or kind's name (states.hpp), the one place where those become strings on the server.
inline std::string property_string(const std::string& text) {
    return bounded_message(text);
}
inline std::string property_string(const SourceFile& file) {
    return property_string(file.str());
}
template <class E>
requires std::is_enum_v<E> std::string property_string(E value) {
    return std::string(to_string(value));
}

/// What the bus currently shows. Objects and property values come from here, not from the
/// Controller directly, so that a signal and the state a client reads after it always agree.
struct Snapshot {
    dbus::ManagerStatus status;
    std::vector<dbus::VpnInfo> vpns;
    const dbus::VpnInfo* find(std::string_view name) const;
};

class ServerCore {
  public:
    using Log = std::function<void(std::string_view)>;
    /// The body of a mutating call once it is authorized; replies to `call` itself.
    using Mutation = std::function<int(ServerCore&, sd_bus_message* call)>;

    ServerCore(BusPtr bus, dbus::Controller& controller, Log log);
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;
    ~ServerCore();

    sd_bus* bus() const { return bus_.get(); }
    dbus::Controller& controller() const { return controller_; }
    const Snapshot& snapshot() const { return snapshot_; }
    Authorizer& authorizer() { return authorizer_; }
    void log(std::string_view message) const;

    /// Re-reads the Controller, swaps the snapshot and emits InterfacesRemoved/Added and
    /// PropertiesChanged (only the changed properties) for the difference.
    void refresh();
    /// refresh() of one VPN and the Manager's properties: what AddVpn and RemoveVpn reply
    /// after (their VPN's object is there, or gone, when the caller reads the reply). The other
    /// VPNs follow with the refresh that Controller::changed() brings (BusServer::refresh_soon).
    void refresh_vpn(const std::string& name);
    /// The Manager's properties only (the VPN list is what costs, ~1 ms per 1000 VPNs): what
    /// Controller::changed() signals at once, so that no state a reload passes through is lost.
    void refresh_status();
    /// How many refresh() calls there were: one made after a change was announced has seen it.
    uint64_t refreshes() const { return refreshes_; }

    /// Authorizes `call` for `polkit_action`, then runs `body`; exceptions become a Failed reply.
    int mutate(sd_bus_message* call, const char* polkit_action, std::string_view what,
               Mutation body);

    /// Keeps registration slots alive as long as the core.
    void keep(SlotPtr slot) { slots_.push_back(std::move(slot)); }

  private:
    void emit_manager_changes(const std::vector<std::string>& properties);
    void check_emitted(int r, std::string_view what, std::string_view path) const;

    BusPtr bus_;  // first member: closed last
    dbus::Controller& controller_;
    Log log_;
    Snapshot snapshot_;
    uint64_t refreshes_ = 0;
    Authorizer authorizer_;
    std::vector<SlotPtr> slots_;
};

/// Replies to `call` with the D-Bus error for `e`.
int reply_control_error(sd_bus_message* call, const dbus::ControlError& e);

/// Runs a vtable callback body; an exception (allocation, JSON) becomes a Failed error instead
/// of unwinding through sd-bus's C frames.
template <class F>
int guarded(sd_bus_error* ret_error, F&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        return sd_bus_error_set(ret_error, kErrorFailed, e.what());
    } catch (...) {
        return sd_bus_error_set(ret_error, kErrorFailed, "internal error");
    }
}

/// Registers the Manager object (and the ObjectManager at its path).
Status add_manager_object(ServerCore& core);
/// Registers the per-VPN fallback vtable and node enumerator.
Status add_vpn_objects(ServerCore& core);

}  // namespace perouter::dbus::detail
