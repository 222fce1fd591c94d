// libFuzzer target: caller-supplied D-Bus arguments through perouterd's own handlers. The real
// Manager and Vpn vtables (src/dbus/manager_object.cpp, src/dbus/vpn_object.cpp) are served
// from a ServerCore (src/dbus/server_core.hpp) on a direct socketpair connection, in front of a
// Controller that checks values as the daemon does (config_controller.hpp). sd-bus only carries
// the calls; what is fuzzed is what our code does with the decoded strings and object paths:
// names, documents, paths decoded back to names (src/dbus/vpn_path.cpp), errors mapped to
// replies (src/dbus/control_error.cpp), the signals of a change (src/dbus/vpn_diff.cpp), and
// the parser of polkit's answer (src/dbus/authorization.cpp).
//
// Input: records separated by NUL bytes, each an opcode byte and its argument text:
//   V<toml>                Validate              A<name>\n<toml>   AddVpn, persist = true
//   a<name>\n<toml>        AddVpn, persist=false R<name>           RemoveVpn
//   L                      ListVpns              D                 Describe
//   G<path or name>        GetAll on a Vpn       P<path or name>\n<property>  Get on a Vpn
//   M                      GetAll on the Manager O                 GetManagedObjects
//   I<path or name>        Introspect            K<bytes>          a polkit reply, parsed
// A text that D-Bus cannot carry (invalid UTF-8) is sent with its non-ASCII bytes as '?'.
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config_controller.hpp"
#include "dbus/authorization.hpp"
#include "dbus/names.hpp"
#include "dbus/server_core.hpp"
#include "dbus/vpn_path.hpp"
#include "peer_bus.hpp"

namespace {

using namespace perouter;

constexpr size_t kMaxCalls = 16;

[[noreturn]] void broken(const std::string& what) {
    std::fprintf(stderr, "fuzz_dbus_args: %s\n", what.c_str());
    std::abort();
}

std::string ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) >= 0x80)
            c = '?';
    return out;
}

/// A path that is one if valid, else the VPN object path of the text as a name.
std::string object_path(std::string_view arg) {
    std::string p(arg);
    if (sd_bus_object_path_is_valid(p.c_str()))
        return p;
    return dbus::vpn_object_path(p);
}

struct Call {
    sd_bus_message* reply = nullptr;
};

int on_reply(sd_bus_message* m, void* userdata, sd_bus_error*) {
    static_cast<Call*>(userdata)->reply = sd_bus_message_ref(m);
    return 0;
}

class Session {
  public:
    explicit Session(fuzz::PeerBus bus)
        : client_(std::move(bus.client)), core_(std::move(bus.server), controller_, {}) {
        controller_.on_change([this] { core_.refresh(); });
        if (auto st = dbus::detail::add_manager_object(core_); !st.ok())
            broken(st.error().message);
        if (auto st = dbus::detail::add_vpn_objects(core_); !st.ok())
            broken(st.error().message);
    }
    ~Session() { controller_.on_change({}); }

    /// Sends one call built by `fill`, then returns the reply (nullptr: no reply at all).
    template <class F>
    dbus::MessagePtr call(const char* path, const char* interface, const char* member, F&& fill) {
        sd_bus_message* raw = nullptr;
        if (sd_bus_message_new_method_call(client_.get(), &raw, dbus::kBusName, path, interface,
                                           member) < 0)
            broken("cannot create a method call");
        dbus::MessagePtr m(raw);
        if (fill(m.get()) < 0)
            return nullptr;
        Call c;
        if (sd_bus_call_async(client_.get(), nullptr, m.get(), on_reply, &c, 0) < 0)
            broken("cannot send a method call");
        if (!fuzz::pump(core_.bus(), client_.get()))
            broken("the connection failed");
        if (c.reply == nullptr)
            broken(std::string("no reply to ") + member);
        return dbus::MessagePtr(c.reply);
    }

    void run(char op, std::string_view arg);
    sd_bus* client() const { return client_.get(); }

  private:
    void manager(const char* member, std::string_view a, std::string_view b = {}, int flag = -1);

    dbus::BusPtr client_;
    fuzz::ConfigController controller_;
    dbus::detail::ServerCore core_;
};

void Session::manager(const char* member, std::string_view a, std::string_view b, int flag) {
    std::string x(a), y(b);
    dbus::MessagePtr reply;
    // A text D-Bus refuses (invalid UTF-8) is sent again as ASCII.
    for (int attempt = 0; attempt < 2 && !reply; ++attempt) {
        if (attempt == 1) {
            x = ascii(x);
            y = ascii(y);
        }
        reply = call(dbus::kManagerPath, dbus::kManagerInterface, member, [&](sd_bus_message* m) {
            return flag >= 0 ? sd_bus_message_append(m, "ssb", x.c_str(), y.c_str(), flag)
                             : sd_bus_message_append(m, "s", x.c_str());
        });
    }
    if (!reply)
        broken(std::string("cannot send ") + member);
    // AddVpn answers with the object of the name it was given.
    if (flag >= 0 && !sd_bus_message_is_method_error(reply.get(), nullptr)) {
        const char* path = nullptr;
        if (sd_bus_message_read(reply.get(), "o", &path) < 0)
            broken("AddVpn returned no object path");
        auto name = dbus::vpn_name_from_path(path);
        if (!name || *name != x)
            broken(std::string("AddVpn returned a path that names another VPN: ") + path);
    }
}

void Session::run(char op, std::string_view arg) {
    std::string_view first = arg.substr(0, arg.find('\n'));
    std::string_view rest = first.size() < arg.size() ? arg.substr(first.size() + 1) : "";
    auto no_args = [](sd_bus_message*) { return 0; };
    switch (op) {
        case 'V':
            return manager("Validate", arg);
        case 'A':
        case 'a':
            return manager("AddVpn", first, rest, op == 'A');
        case 'R':
            return manager("RemoveVpn", arg);
        case 'L':
            (void)call(dbus::kManagerPath, dbus::kManagerInterface, "ListVpns", no_args);
            return;
        case 'D':
            (void)call(dbus::kManagerPath, dbus::kManagerInterface, "Describe", no_args);
            return;
        case 'M':
            (void)call(dbus::kManagerPath, "org.freedesktop.DBus.Properties", "GetAll",
                       [](sd_bus_message* m) {
                           return sd_bus_message_append(m, "s", dbus::kManagerInterface);
                       });
            return;
        case 'O':
            (void)call(dbus::kManagerPath, "org.freedesktop.DBus.ObjectManager",
                       "GetManagedObjects", no_args);
            return;
        case 'G': {
            std::string path = object_path(ascii(arg));
            (void)call(path.c_str(), "org.freedesktop.DBus.Properties", "GetAll",
                       [](sd_bus_message* m) {
                           return sd_bus_message_append(m, "s", dbus::kVpnInterface);
                       });
            return;
        }
        case 'P': {
            std::string path = object_path(ascii(first));
            std::string property = ascii(rest);
            (void)call(
                path.c_str(), "org.freedesktop.DBus.Properties", "Get", [&](sd_bus_message* m) {
                    return sd_bus_message_append(m, "ss", dbus::kVpnInterface, property.c_str());
                });
            return;
        }
        case 'I': {
            std::string path = object_path(ascii(arg));
            (void)call(path.c_str(), "org.freedesktop.DBus.Introspectable", "Introspect", no_args);
            return;
        }
        default:
            return;
    }
}

/// parse_polkit_reply on a message of a shape chosen by the first byte, with the booleans and
/// details taken from the rest. The right shape must give back exactly its booleans.
void polkit_reply(sd_bus* bus, std::string_view arg) {
    sd_bus_message* raw = nullptr;
    if (sd_bus_message_new_signal(bus, &raw, "/", "org.freedesktop.PolicyKit1.Authority", "Fuzz") <
        0)
        broken("cannot create a message");
    dbus::MessagePtr m(raw);
    unsigned shape = arg.empty() ? 0 : static_cast<unsigned char>(arg[0]) % 5;
    int authorized = arg.size() > 1 && (arg[1] & 1);
    int challenge = arg.size() > 1 && (arg[1] & 2);
    std::string detail = ascii(arg.size() > 2 ? arg.substr(2) : "");
    int r = 0;
    switch (shape) {
        case 0:
            r = sd_bus_message_append(m.get(), "(bba{ss})", authorized, challenge, 1, "k",
                                      detail.c_str());
            break;
        case 1:
            r = sd_bus_message_append(m.get(), "(bb)", authorized, challenge);
            break;
        case 2:
            r = sd_bus_message_append(m.get(), "(sba{ss})", detail.c_str(), challenge, 0);
            break;
        case 3:
            r = sd_bus_message_append(m.get(), "b", authorized);
            break;
        default:
            break;  // no arguments at all
    }
    if (r < 0 || sd_bus_message_seal(m.get(), 1, 0) < 0 || sd_bus_message_rewind(m.get(), 1) < 0)
        broken("cannot build a polkit reply");
    auto answer = dbus::parse_polkit_reply(m.get());
    if (shape == 0 && (!answer.ok() || answer->authorized != (authorized != 0) ||
                       answer->challenge != (challenge != 0)))
        broken("a well-formed polkit reply was misread");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // The handlers authorize the socketpair's peer, which is this process: only as root do the
    // mutating calls reach the Controller (otherwise they are all AccessDenied).
    if (::geteuid() != 0)
        std::fprintf(stderr, "fuzz_dbus_args: not root, AddVpn/RemoveVpn/Reload are denied\n");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto bus = fuzz::PeerBus::open();
    if (!bus.ok())
        broken(bus.error().message);
    Session session(std::move(*bus));
    std::string_view input(reinterpret_cast<const char*>(data), size);
    size_t calls = 0;
    while (!input.empty() && calls++ < kMaxCalls) {
        size_t end = input.find('\0');
        std::string_view record = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
        if (record.empty())
            continue;
        if (record[0] == 'K')
            polkit_reply(session.client(), record.substr(1));
        else
            session.run(record[0], record.substr(1));
    }
    return 0;
}
