#include "dbus/server_core.hpp"

#include <fmt/format.h>

#include <cstring>

#include "dbus/control_error.hpp"
#include "dbus/vpn_diff.hpp"
#include "dbus/vpn_path.hpp"

namespace perouter::dbus::detail {
namespace {

/// A NULL-terminated char* array over `names`, as the *_strv emitters take.
std::vector<char*> strv(const std::vector<std::string>& names) {
    std::vector<char*> v;
    v.reserve(names.size() + 1);
    for (const auto& n : names)
        v.push_back(const_cast<char*>(n.c_str()));
    v.push_back(nullptr);
    return v;
}

}  // namespace

const dbus::VpnInfo* Snapshot::find(std::string_view name) const {
    // The last entry with a name wins, matching diff_vpns.
    for (auto it = vpns.rbegin(); it != vpns.rend(); ++it)
        if (it->name == name)
            return &*it;
    return nullptr;
}

ServerCore::ServerCore(BusPtr bus, dbus::Controller& controller, Log log)
    : bus_(std::move(bus)),
      controller_(controller),
      log_(std::move(log)),
      snapshot_{controller.status(), controller.vpns()},
      authorizer_(bus_.get(), log_) {}

ServerCore::~ServerCore() = default;

void ServerCore::log(std::string_view message) const {
    if (log_)
        log_(message);
}

void ServerCore::refresh_status() {
    ManagerStatus next = controller_.status();
    std::vector<std::string> manager = changed_manager_properties(snapshot_.status, next);
    snapshot_.status = std::move(next);  // first: the getters read the snapshot
    emit_manager_changes(manager);
}

void ServerCore::refresh() {
    ++refreshes_;
    Snapshot next{controller_.status(), controller_.vpns()};
    VpnDiff diff = diff_vpns(snapshot_.vpns, next.vpns);
    std::vector<std::string> manager = changed_manager_properties(snapshot_.status, next.status);
    // Swap first: InterfacesAdded and PropertiesChanged read the values through the vtable
    // getters, which must already see the new state.
    snapshot_ = std::move(next);

    for (const auto& name : diff.removed) {
        std::string path = vpn_object_path(name);
        check_emitted(sd_bus_emit_interfaces_removed(bus(), path.c_str(), kVpnInterface, nullptr),
                      "InterfacesRemoved", path);
    }
    for (const auto& name : diff.added) {
        std::string path = vpn_object_path(name);
        check_emitted(sd_bus_emit_interfaces_added(bus(), path.c_str(), kVpnInterface, nullptr),
                      "InterfacesAdded", path);
    }
    for (const auto& change : diff.changed) {
        std::string path = vpn_object_path(change.name);
        auto names = strv(change.properties);
        check_emitted(
            sd_bus_emit_properties_changed_strv(bus(), path.c_str(), kVpnInterface, names.data()),
            "PropertiesChanged", path);
    }
    emit_manager_changes(manager);
}

void ServerCore::refresh_vpn(const std::string& name) {
    std::optional<dbus::VpnInfo> now = controller_.vpn(name);
    std::optional<dbus::VpnInfo> before;
    if (const dbus::VpnInfo* b = snapshot_.find(name))
        before = *b;
    // Swap first, as in refresh(): the getters read the snapshot.
    std::erase_if(snapshot_.vpns, [&](const dbus::VpnInfo& v) { return v.name == name; });
    if (now)
        snapshot_.vpns.push_back(*now);
    const std::string path = vpn_object_path(name);
    if (before && !now)
        check_emitted(sd_bus_emit_interfaces_removed(bus(), path.c_str(), kVpnInterface, nullptr),
                      "InterfacesRemoved", path);
    if (!before && now)
        check_emitted(sd_bus_emit_interfaces_added(bus(), path.c_str(), kVpnInterface, nullptr),
                      "InterfacesAdded", path);
    if (before && now)
        if (auto changed = changed_vpn_properties(*before, *now); !changed.empty()) {
            auto names = strv(changed);
            check_emitted(sd_bus_emit_properties_changed_strv(bus(), path.c_str(), kVpnInterface,
                                                              names.data()),
                          "PropertiesChanged", path);
        }
    refresh_status();
}

void ServerCore::emit_manager_changes(const std::vector<std::string>& properties) {
    if (properties.empty())
        return;
    auto names = strv(properties);
    check_emitted(
        sd_bus_emit_properties_changed_strv(bus(), kManagerPath, kManagerInterface, names.data()),
        "PropertiesChanged", kManagerPath);
}

void ServerCore::check_emitted(int r, std::string_view what, std::string_view path) const {
    if (r < 0)
        log(fmt::format("Failed to emit {} for {}: {}", what, path, std::strerror(-r)));
}

int ServerCore::mutate(sd_bus_message* call, const char* polkit_action, std::string_view what,
                       Mutation body) {
    return authorizer_.run_authorized(
        call, polkit_action, what, [this, body = std::move(body)](sd_bus_message* m) -> int {
            try {
                return body(*this, m);
            } catch (const std::exception& e) {
                return sd_bus_reply_method_errorf(m, kErrorFailed, "%s", e.what());
            } catch (...) {
                return sd_bus_reply_method_errorf(m, kErrorFailed, "internal error");
            }
        });
}

int reply_control_error(sd_bus_message* call, const dbus::ControlError& e) {
    BusErrorReply reply = to_bus_error(e);
    SdBusError err;
    sd_bus_error_set(err.get(), reply.name.c_str(), reply.message.c_str());
    return sd_bus_reply_method_error(call, err.get());
}

}  // namespace perouter::dbus::detail
