// org.openperouter.Router1.Manager at /org/openperouter/Router1.
#include <cstring>
#include <string>
#include <string_view>

#include "dbus/reply_limits.hpp"
#include "dbus/server_core.hpp"
#include "dbus/vpn_path.hpp"

namespace perouter::dbus::detail {
namespace {

ServerCore& core_of(void* userdata) {
    return *static_cast<ServerCore*>(userdata);
}

/// Replies InvalidArgs when a string argument is larger than any configuration text may be;
/// 0 when it is not (the caller goes on).
int refuse_oversized(sd_bus_message* call, std::string_view name, const char* value) {
    auto problem = oversized_argument(name, std::strlen(value));
    if (!problem)
        return 0;
    int r = sd_bus_reply_method_errorf(call, SD_BUS_ERROR_INVALID_ARGS, "%s", problem->c_str());
    return r < 0 ? r : 1;
}

int method_reload(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        return core_of(userdata).mutate(m, kActionReload, "Reload",
                                        [](ServerCore& core, sd_bus_message* call) {
                                            auto r = core.controller().reload();
                                            // The Controller reports changes through on_change;
                                            // refreshing here as well makes the signals precede the
                                            // reply even if it did not.
                                            core.refresh();
                                            if (!r.ok())
                                                return reply_control_error(call, r.error());
                                            return sd_bus_reply_method_return(call, "");
                                        });
    });
}

int method_validate(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        const char* toml = nullptr;
        int r = sd_bus_message_read(m, "s", &toml);
        if (r < 0)
            return r;
        // Open to every caller (it changes nothing), so bounded before the parser sees it.
        if ((r = refuse_oversized(m, "toml", toml)) != 0)
            return r;
        Diagnostics diags = core_of(userdata).controller().validate(toml);
        sd_bus_message* raw = nullptr;
        if ((r = sd_bus_message_new_method_return(m, &raw)) < 0)
            return r;
        MessagePtr reply(raw);
        if ((r = sd_bus_message_open_container(reply.get(), SD_BUS_TYPE_ARRAY, "s")) < 0)
            return r;
        for (const auto& line : bounded_diagnostics(diags))
            if ((r = sd_bus_message_append(reply.get(), "s", line.c_str())) < 0)
                return r;
        if ((r = sd_bus_message_close_container(reply.get())) < 0)
            return r;
        return sd_bus_send(nullptr, reply.get(), nullptr);
    });
}

int method_add_vpn(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        const char* name = nullptr;
        const char* toml = nullptr;
        int persist = 0;
        int r = sd_bus_message_read(m, "ssb", &name, &toml, &persist);
        if (r < 0)
            return r;
        // Refused before authorization: nothing this large waits for polkit.
        if ((r = refuse_oversized(m, "name", name)) != 0 ||
            (r = refuse_oversized(m, "toml", toml)) != 0)
            return r;
        return core_of(userdata).mutate(
            m, kActionManageVpn, "AddVpn",
            [name = std::string(name), toml = std::string(toml), persist = persist != 0](
                ServerCore& core, sd_bus_message* call) {
                auto res = core.controller().add_vpn(name, toml, persist);
                core.refresh_vpn(name);
                if (!res.ok())
                    return reply_control_error(call, res.error());
                return sd_bus_reply_method_return(call, "o", vpn_object_path(name).c_str());
            });
    });
}

int method_remove_vpn(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        const char* name = nullptr;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
            return r;
        if ((r = refuse_oversized(m, "name", name)) != 0)
            return r;
        return core_of(userdata).mutate(
            m, kActionManageVpn, "RemoveVpn",
            [name = std::string(name)](ServerCore& core, sd_bus_message* call) {
                auto res = core.controller().remove_vpn(name);
                core.refresh_vpn(name);
                if (!res.ok())
                    return reply_control_error(call, res.error());
                return sd_bus_reply_method_return(call, "");
            });
    });
}

int method_list_vpns(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        ServerCore& core = core_of(userdata);
        // Catches up with any change the Controller did not announce, so every listed path
        // is an object a client can read right away.
        core.refresh();
        sd_bus_message* raw = nullptr;
        int r = sd_bus_message_new_method_return(m, &raw);
        if (r < 0)
            return r;
        MessagePtr reply(raw);
        if ((r = sd_bus_message_open_container(reply.get(), SD_BUS_TYPE_ARRAY, "(so)")) < 0)
            return r;
        for (const auto& v : core.snapshot().vpns) {
            if (core.snapshot().find(v.name) != &v)
                continue;  // shadowed by a later entry of the same name
            r = sd_bus_message_append(reply.get(), "(so)", v.name.c_str(),
                                      vpn_object_path(v.name).c_str());
            if (r < 0)
                return r;
        }
        if ((r = sd_bus_message_close_container(reply.get())) < 0)
            return r;
        return sd_bus_send(nullptr, reply.get(), nullptr);
    });
}

int method_describe(sd_bus_message* m, void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        // Invalid UTF-8 in a file name must not make the whole call fail.
        std::string json = core_of(userdata).controller().describe().dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
        return sd_bus_reply_method_return(m, "s", json.c_str());
    });
}

template <auto Field>
int get_status_string(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                      void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        // LastError may carry a whole load's diagnostics.
        std::string value = property_string(core_of(userdata).snapshot().status.*Field);
        return sd_bus_message_append(reply, "s", value.c_str());
    });
}

int get_failed_files(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                     void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        const auto& files = core_of(userdata).snapshot().status.failed_files;
        int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "s");
        // One line per file; the configuration limits (src/config/limits.hpp) bound the count.
        for (size_t i = 0; r >= 0 && i < files.size(); ++i)
            r = sd_bus_message_append(reply, "s", bounded_message(files[i]).c_str());
        return r < 0 ? r : sd_bus_message_close_container(reply);
    });
}

const sd_bus_vtable kManagerVtable[] = {
    SD_BUS_VTABLE_START(0),
    // All methods are UNPRIVILEGED for sd-bus: the mutating ones authorize themselves
    // (authorization.hpp), which sd-bus's own capability check would pre-empt.
    SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("Validate", "s", SD_BUS_PARAM(toml), "as", SD_BUS_PARAM(errors),
                             method_validate, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("AddVpn", "ssb",
                             SD_BUS_PARAM(name) SD_BUS_PARAM(toml) SD_BUS_PARAM(persist), "o",
                             SD_BUS_PARAM(vpn), method_add_vpn, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("RemoveVpn", "s", SD_BUS_PARAM(name), "", , method_remove_vpn,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("ListVpns", "", , "a(so)", SD_BUS_PARAM(vpns), method_list_vpns,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("Describe", "", , "s", SD_BUS_PARAM(json), method_describe,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("State", "s", get_status_string<&dbus::ManagerStatus::state>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UnderlayState", "s", get_status_string<&dbus::ManagerStatus::underlay_state>,
                    0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("LastError", "s", get_status_string<&dbus::ManagerStatus::last_error>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Version", "s", get_status_string<&dbus::ManagerStatus::version>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ConfigError", "s", get_status_string<&dbus::ManagerStatus::config_error>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ApplyError", "s", get_status_string<&dbus::ManagerStatus::apply_error>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("FailedFiles", "as", get_failed_files, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END,
};

}  // namespace

Status add_manager_object(ServerCore& core) {
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_object_vtable(core.bus(), &slot, kManagerPath, kManagerInterface,
                                     kManagerVtable, &core);
    if (r < 0)
        return fail(errno_error(-r, "register the Manager object"));
    core.keep(SlotPtr(slot));
    // InterfacesAdded/Removed for the VPN objects below come from this object manager.
    if ((r = sd_bus_add_object_manager(core.bus(), &slot, kManagerPath)) < 0)
        return fail(errno_error(-r, "register the object manager"));
    core.keep(SlotPtr(slot));
    return {};
}

}  // namespace perouter::dbus::detail
