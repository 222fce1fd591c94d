// org.openperouter.Router1.Vpn: one object per VPN below /org/openperouter/Router1/vpn, served
// by a fallback vtable and a node enumerator over the server's snapshot, so objects appear and
// disappear with the VPN list without registering each one.
#include <cstdlib>
#include <cstring>
#include <string>

#include "dbus/reply_limits.hpp"
#include "dbus/server_core.hpp"
#include "dbus/vpn_path.hpp"

namespace perouter::dbus::detail {
namespace {

ServerCore& core_of(void* userdata) {
    return *static_cast<ServerCore*>(userdata);
}

int find_vpn(sd_bus*, const char* path, const char*, void* userdata, void** ret_found,
             sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        auto name = vpn_name_from_path(path);
        if (!name)
            return 0;
        const dbus::VpnInfo* vpn = core_of(userdata).snapshot().find(*name);
        if (vpn == nullptr)
            return 0;
        // The getters run right after this, before the snapshot can change (one thread).
        *ret_found = const_cast<dbus::VpnInfo*>(vpn);
        return 1;
    });
}

int enumerate_vpns(sd_bus*, const char*, void* userdata, char*** ret_nodes,
                   sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        const auto& vpns = core_of(userdata).snapshot().vpns;
        // sd-bus frees the array and its strings with free().
        auto** nodes = static_cast<char**>(std::calloc(vpns.size() + 1, sizeof(char*)));
        if (nodes == nullptr)
            return -ENOMEM;
        size_t n = 0;
        for (const auto& v : vpns) {
            std::string path = vpn_object_path(v.name);
            char* copy = strdup(path.c_str());
            if (copy == nullptr) {
                for (size_t i = 0; i < n; ++i)
                    std::free(nodes[i]);
                std::free(static_cast<void*>(nodes));
                return -ENOMEM;
            }
            nodes[n++] = copy;
        }
        *ret_nodes = nodes;
        return 0;
    });
}

const dbus::VpnInfo& vpn_of(void* userdata) {
    return *static_cast<dbus::VpnInfo*>(userdata);
}

template <auto Field>
int get_vpn_string(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                   void* userdata, sd_bus_error* ret_error) {
    return guarded(ret_error, [&] {
        std::string value = property_string(vpn_of(userdata).*Field);
        return sd_bus_message_append(reply, "s", value.c_str());
    });
}

int get_vni(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata,
            sd_bus_error* ret_error) {
    return guarded(ret_error,
                   [&] { return sd_bus_message_append(reply, "u", vpn_of(userdata).vni); });
}

const sd_bus_vtable kVpnVtable[] = {
    SD_BUS_VTABLE_START(0),
    // The name is the object's identity (it is in the path), so it never changes.
    SD_BUS_PROPERTY("Name", "s", get_vpn_string<&dbus::VpnInfo::name>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Kind", "s", get_vpn_string<&dbus::VpnInfo::kind>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Vni", "u", get_vni, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Vrf", "s", get_vpn_string<&dbus::VpnInfo::vrf>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("State", "s", get_vpn_string<&dbus::VpnInfo::state>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Source", "s", get_vpn_string<&dbus::VpnInfo::source>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Error", "s", get_vpn_string<&dbus::VpnInfo::error>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // SRv6 L3VPNs: the SIDs of their VRF; "" for the other kinds and until bgpd has them.
    SD_BUS_PROPERTY("Ipv4Sid", "s", get_vpn_string<&dbus::VpnInfo::ipv4_sid>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Ipv6Sid", "s", get_vpn_string<&dbus::VpnInfo::ipv6_sid>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END,
};

}  // namespace

Status add_vpn_objects(ServerCore& core) {
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_fallback_vtable(core.bus(), &slot, kVpnPathPrefix, kVpnInterface, kVpnVtable,
                                       find_vpn, &core);
    if (r < 0)
        return fail(errno_error(-r, "register the Vpn objects"));
    core.keep(SlotPtr(slot));
    if ((r = sd_bus_add_node_enumerator(core.bus(), &slot, kVpnPathPrefix, enumerate_vpns, &core)) <
        0)
        return fail(errno_error(-r, "register the Vpn enumerator"));
    core.keep(SlotPtr(slot));
    return {};
}

}  // namespace perouter::dbus::detail
