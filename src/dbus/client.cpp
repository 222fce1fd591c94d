#include "dbus/client.hpp"

#include <fmt/format.h>

#include <cstring>
#include <deque>
#include <string_view>

#include "dbus/bus.hpp"
#include "dbus/error_map.hpp"
#include "dbus/names.hpp"
#include "dbus/vpn_path.hpp"

namespace perouter::dbus {
namespace {

constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";
constexpr const char* kObjectManagerInterface = "org.freedesktop.DBus.ObjectManager";

BusError from_errno(int r, std::string_view what) {
    SdBusError e;
    sd_bus_error_set_errno(e.get(), -r);
    return BusError{e.get()->name ? e.get()->name : SD_BUS_ERROR_FAILED,
                    fmt::format("{}: {}", what, std::strerror(-r)), -r};
}

BusError from_error(const sd_bus_error* e, int r) {
    if (e == nullptr || e->name == nullptr)
        return from_errno(r < 0 ? r : -EIO, "D-Bus call failed");
    return BusError{e->name, e->message ? e->message : "", sd_bus_error_get_errno(e)};
}

/// Reads one a{sv} property dictionary, handing each known entry to `read`; the others are
/// skipped, so properties added to the API later do not break older clients.
template <class F>
int read_properties(sd_bus_message* m, F&& read) {
    int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
        const char* key = nullptr;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0)
            return r;
        if ((r = read(std::string_view(key))) < 0)
            return r;
        if (r == 0 && (r = sd_bus_message_skip(m, "v")) < 0)
            return r;
        if ((r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

int read_variant_string(sd_bus_message* m, std::string& out) {
    const char* s = nullptr;
    int r = sd_bus_message_read(m, "v", "s", &s);
    if (r < 0)
        return r;
    out = s;
    return 1;
}

// A state or kind: a name this client does not know reads as Unknown.
template <class E>
int read_variant_enum(sd_bus_message* m, E& out, E (*parse)(std::string_view)) {
    std::string s;
    int r = read_variant_string(m, s);
    if (r >= 0)
        out = parse(s);
    return r;
}

int read_variant_u32(sd_bus_message* m, uint32_t& out) {
    int r = sd_bus_message_read(m, "v", "u", &out);
    return r < 0 ? r : 1;
}

}  // namespace

struct RouterClient::Impl {
    BusPtr bus;
    uint64_t timeout_usec = kLongCallTimeoutUsec;
    std::vector<SlotPtr> matches;
    std::deque<RouterSignal> signals;

    /// Calls `member` on `interface` at `path`; `append` adds the arguments.
    template <class A>
    BusResult<MessagePtr> call(const char* path, const char* interface, const char* member,
                               A&& append) {
        sd_bus_message* raw = nullptr;
        int r = sd_bus_message_new_method_call(bus.get(), &raw, kBusName, path, interface, member);
        if (r < 0)
            return fail(from_errno(r, "create method call"));
        MessagePtr m(raw);
        if ((r = append(m.get())) < 0)
            return fail(from_errno(r, "append arguments"));
        SdBusError err;
        sd_bus_message* reply = nullptr;
        r = sd_bus_call(bus.get(), m.get(), timeout_usec, err.get(), &reply);
        if (r < 0)
            return fail(from_error(err.get(), r));
        return MessagePtr(reply);
    }
    BusResult<MessagePtr> call(const char* path, const char* interface, const char* member) {
        return call(path, interface, member, [](sd_bus_message*) { return 0; });
    }
    BusResult<MessagePtr> manager_call(const char* member) {
        return call(kManagerPath, kManagerInterface, member);
    }
    BusResult<MessagePtr> get_all(const char* path, const char* interface) {
        return call(path, kPropertiesInterface, "GetAll", [interface](sd_bus_message* m) {
            return sd_bus_message_append(m, "s", interface);
        });
    }

    static int on_properties_changed(sd_bus_message* m, void* userdata, sd_bus_error*);
    static int on_interfaces_added(sd_bus_message* m, void* userdata, sd_bus_error*);
    static int on_interfaces_removed(sd_bus_message* m, void* userdata, sd_bus_error*);
};

// Signal callbacks drop malformed signals instead of failing the connection: they come from
// another process and only feed waits that re-read state anyway.
int RouterClient::Impl::on_properties_changed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<Impl*>(userdata);
    RouterSignal s{RouterSignal::Kind::PropertiesChanged, sd_bus_message_get_path(m), {}, {}};
    const char* interface = nullptr;
    if (sd_bus_message_read(m, "s", &interface) < 0)
        return 0;
    s.interfaces.emplace_back(interface);
    int r = read_properties(m, [&](std::string_view key) {
        s.properties.emplace_back(key);
        return 0;
    });
    if (r < 0 || sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s") < 0)
        return 0;
    const char* name = nullptr;
    while ((r = sd_bus_message_read(m, "s", &name)) > 0)
        s.properties.emplace_back(name);
    if (r < 0)
        return 0;
    self->signals.push_back(std::move(s));
    return 0;
}

int RouterClient::Impl::on_interfaces_added(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<Impl*>(userdata);
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) < 0)
        return 0;
    RouterSignal s{RouterSignal::Kind::InterfacesAdded, path, {}, {}};
    if (sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}") < 0)
        return 0;
    int r;
    while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}")) > 0) {
        const char* interface = nullptr;
        if (sd_bus_message_read(m, "s", &interface) < 0 || sd_bus_message_skip(m, "a{sv}") < 0 ||
            sd_bus_message_exit_container(m) < 0)
            return 0;
        s.interfaces.emplace_back(interface);
    }
    if (r < 0)
        return 0;
    self->signals.push_back(std::move(s));
    return 0;
}

int RouterClient::Impl::on_interfaces_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<Impl*>(userdata);
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) < 0)
        return 0;
    RouterSignal s{RouterSignal::Kind::InterfacesRemoved, path, {}, {}};
    if (sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s") < 0)
        return 0;
    const char* interface = nullptr;
    int r;
    while ((r = sd_bus_message_read(m, "s", &interface)) > 0)
        s.interfaces.emplace_back(interface);
    if (r < 0)
        return 0;
    self->signals.push_back(std::move(s));
    return 0;
}

RouterClient::RouterClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RouterClient::RouterClient(RouterClient&&) noexcept = default;
RouterClient& RouterClient::operator=(RouterClient&&) noexcept = default;
RouterClient::~RouterClient() = default;

BusResult<RouterClient> RouterClient::connect(const std::string& address) {
    int r = register_error_map();
    if (r < 0)
        return fail(from_errno(r, "register the D-Bus error map"));
    auto bus = open_bus(address);
    if (!bus.ok()) {
        const Error& e = bus.error();
        SdBusError err;
        sd_bus_error_set_errno(err.get(), e.code ? e.code : EIO);
        return fail(
            BusError{err.get()->name ? err.get()->name : SD_BUS_ERROR_FAILED, e.message, e.code});
    }
    auto impl = std::make_unique<Impl>();
    impl->bus = std::move(*bus);
    sd_bus_set_allow_interactive_authorization(impl->bus.get(), 1);
    return RouterClient(std::move(impl));
}

void RouterClient::set_interactive_authorization(bool allow) {
    sd_bus_set_allow_interactive_authorization(impl_->bus.get(), allow ? 1 : 0);
}

void RouterClient::set_call_timeout(std::chrono::microseconds timeout) {
    impl_->timeout_usec = static_cast<uint64_t>(timeout.count());
}

BusResult<void> RouterClient::reload() {
    auto reply = impl_->manager_call("Reload");
    if (!reply.ok())
        return fail(std::move(reply).error());
    return {};
}

BusResult<std::vector<std::string>> RouterClient::validate(const std::string& toml) {
    auto reply = impl_->call(kManagerPath, kManagerInterface, "Validate", [&](sd_bus_message* m) {
        return sd_bus_message_append(m, "s", toml.c_str());
    });
    if (!reply.ok())
        return fail(std::move(reply).error());
    char** errors = nullptr;
    int r = sd_bus_message_read_strv(reply->get(), &errors);
    if (r < 0)
        return fail(from_errno(r, "parse Validate reply"));
    std::vector<std::string> out;
    for (char** e = errors; e && *e; ++e) {
        out.emplace_back(*e);
        std::free(*e);
    }
    std::free(static_cast<void*>(errors));
    return out;
}

BusResult<std::string> RouterClient::add_vpn(const std::string& name, const std::string& toml,
                                             bool persist) {
    auto reply = impl_->call(kManagerPath, kManagerInterface, "AddVpn", [&](sd_bus_message* m) {
        return sd_bus_message_append(m, "ssb", name.c_str(), toml.c_str(), persist ? 1 : 0);
    });
    if (!reply.ok())
        return fail(std::move(reply).error());
    const char* path = nullptr;
    int r = sd_bus_message_read(reply->get(), "o", &path);
    if (r < 0)
        return fail(from_errno(r, "parse AddVpn reply"));
    return std::string(path);
}

BusResult<void> RouterClient::remove_vpn(const std::string& name) {
    auto reply = impl_->call(kManagerPath, kManagerInterface, "RemoveVpn", [&](sd_bus_message* m) {
        return sd_bus_message_append(m, "s", name.c_str());
    });
    if (!reply.ok())
        return fail(std::move(reply).error());
    return {};
}

BusResult<std::vector<VpnEntry>> RouterClient::list_vpns() {
    auto reply = impl_->manager_call("ListVpns");
    if (!reply.ok())
        return fail(std::move(reply).error());
    sd_bus_message* m = reply->get();
    std::vector<VpnEntry> out;
    int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(so)");
    const char* name = nullptr;
    const char* path = nullptr;
    while (r >= 0 && (r = sd_bus_message_read(m, "(so)", &name, &path)) > 0)
        out.push_back({name, path});
    if (r < 0)
        return fail(from_errno(r, "parse ListVpns reply"));
    return out;
}

BusResult<std::string> RouterClient::describe() {
    auto reply = impl_->manager_call("Describe");
    if (!reply.ok())
        return fail(std::move(reply).error());
    const char* json = nullptr;
    int r = sd_bus_message_read(reply->get(), "s", &json);
    if (r < 0)
        return fail(from_errno(r, "parse Describe reply"));
    return std::string(json);
}

BusResult<ManagerProperties> RouterClient::status() {
    auto reply = impl_->get_all(kManagerPath, kManagerInterface);
    if (!reply.ok())
        return fail(std::move(reply).error());
    ManagerProperties p;
    int r = read_properties(reply->get(), [&](std::string_view key) {
        sd_bus_message* m = reply->get();
        if (key == "State")
            return read_variant_string(m, p.state);
        if (key == "UnderlayState")
            return read_variant_enum(m, p.underlay_state, parse_underlay_state);
        if (key == "LastError")
            return read_variant_string(m, p.last_error);
        if (key == "Version")
            return read_variant_string(m, p.version);
        return 0;
    });
    if (r < 0)
        return fail(from_errno(r, "parse Manager properties"));
    return p;
}

BusResult<VpnProperties> RouterClient::vpn(const std::string& name) {
    std::string path = vpn_object_path(name);
    auto reply = impl_->get_all(path.c_str(), kVpnInterface);
    if (!reply.ok()) {
        const BusError& e = reply.error();
        // sd-bus answers for an object it does not serve with UnknownObject (or, for a path
        // below a fallback, UnknownInterface); for a client both mean the VPN is not there.
        if (e.name == SD_BUS_ERROR_UNKNOWN_OBJECT || e.name == SD_BUS_ERROR_UNKNOWN_INTERFACE)
            return fail(BusError{kErrorNoSuchVpn, fmt::format("No VPN named '{}'", name), ENOENT});
        return fail(std::move(reply).error());
    }
    VpnProperties p;
    int r = read_properties(reply->get(), [&](std::string_view key) {
        sd_bus_message* m = reply->get();
        if (key == "Name")
            return read_variant_string(m, p.name);
        if (key == "Kind")
            return read_variant_enum(m, p.kind, parse_vpn_kind);
        if (key == "Vni")
            return read_variant_u32(m, p.vni);
        if (key == "Vrf")
            return read_variant_string(m, p.vrf);
        if (key == "State")
            return read_variant_enum(m, p.state, parse_vpn_state);
        if (key == "Source")
            return read_variant_string(m, p.source);
        if (key == "Error")
            return read_variant_string(m, p.error);
        if (key == "Ipv4Sid")
            return read_variant_string(m, p.ipv4_sid);
        if (key == "Ipv6Sid")
            return read_variant_string(m, p.ipv6_sid);
        return 0;
    });
    if (r < 0)
        return fail(from_errno(r, "parse Vpn properties"));
    return p;
}

BusResult<void> RouterClient::watch() {
    if (!impl_->matches.empty())
        return {};
    sd_bus* bus = impl_->bus.get();
    std::string properties_rule = fmt::format(
        "type='signal',sender='{}',interface='{}',member='PropertiesChanged',"
        "path_namespace='{}'",
        kBusName, kPropertiesInterface, kManagerPath);
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_match(bus, &slot, properties_rule.c_str(), Impl::on_properties_changed,
                             impl_.get());
    if (r < 0)
        return fail(from_errno(r, "subscribe to PropertiesChanged"));
    std::vector<SlotPtr> slots;
    slots.emplace_back(slot);
    if ((r = sd_bus_match_signal(bus, &slot, kBusName, kManagerPath, kObjectManagerInterface,
                                 "InterfacesAdded", Impl::on_interfaces_added, impl_.get())) < 0)
        return fail(from_errno(r, "subscribe to InterfacesAdded"));
    slots.emplace_back(slot);
    if ((r = sd_bus_match_signal(bus, &slot, kBusName, kManagerPath, kObjectManagerInterface,
                                 "InterfacesRemoved", Impl::on_interfaces_removed, impl_.get())) <
        0)
        return fail(from_errno(r, "subscribe to InterfacesRemoved"));
    slots.emplace_back(slot);
    impl_->matches = std::move(slots);
    return {};
}

BusResult<std::vector<RouterSignal>> RouterClient::wait_signals(std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    sd_bus* bus = impl_->bus.get();
    for (;;) {
        int r;
        // Dispatches everything already received, including signals that arrived while a
        // blocking call waited for its reply.
        while ((r = sd_bus_process(bus, nullptr)) > 0) {
        }
        if (r < 0)
            return fail(from_errno(r, "process bus messages"));
        if (!impl_->signals.empty())
            break;
        auto now = Clock::now();
        if (now >= deadline)
            break;
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
        if ((r = sd_bus_wait(bus, static_cast<uint64_t>(left.count()))) < 0)
            return fail(from_errno(r, "wait for bus messages"));
    }
    std::vector<RouterSignal> out(std::make_move_iterator(impl_->signals.begin()),
                                  std::make_move_iterator(impl_->signals.end()));
    impl_->signals.clear();
    return out;
}

BusResult<ManagerProperties> RouterClient::wait_for_status(
    const std::function<bool(const ManagerProperties&)>& done, std::chrono::milliseconds timeout,
    std::chrono::milliseconds poll) {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    auto subscribed = watch();
    if (!subscribed.ok())
        return fail(std::move(subscribed).error());
    std::string last;
    for (;;) {
        auto st = status();
        if (st.ok()) {
            if (done(*st))
                return st;
            last =
                fmt::format("state '{}', underlay '{}'", st->state, to_string(st->underlay_state));
            if (!st->last_error.empty())
                last += fmt::format(", last error: {}", st->last_error);
        } else {
            last = st.error().message;
        }
        auto now = Clock::now();
        if (now >= deadline)
            break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        auto got = wait_signals(std::min(left, poll));
        if (!got.ok())
            return fail(std::move(got).error());
    }
    return fail(BusError{SD_BUS_ERROR_TIMEOUT,
                         fmt::format("Timed out after {} ms; {}", timeout.count(), last),
                         ETIMEDOUT});
}

}  // namespace perouter::dbus
