// A D-Bus client for the reliability tests, run as root or, through setpriv, as nobody:
//
//   dbus_hostile_caller ADDRESS call METHOD SIG [ARG...]
//       Calls METHOD on the Manager with arguments of signature SIG (letters s, b, u, i; b is
//       "true"/"false"). Prints "ok" or "error NAME" and exits 0; 2 when it could not call.
//   dbus_hostile_caller ADDRESS burst CONNECTIONS CALLS
//       Sends CALLS asynchronous calls spread over CONNECTIONS connections (ListVpns, Validate,
//       Reload and a property read in turn), at most kWindow in flight per connection, and
//       waits for every answer. Prints "sent N returns R errors E unanswered U", then one
//       "error NAME COUNT" line per error name. A call counts as unanswered when sd-bus gave up
//       on it (Timeout/NoReply) or when the connection closed under it.
//   dbus_hostile_caller ADDRESS send-then-exec PROGRAM [ARG...]
//       Connects, sends Reload without waiting for the reply, makes sure the bus daemon has it,
//       prints "sent UNIQUE-NAME", and execs PROGRAM with the connection still open, so the
//       call's sender is then PROGRAM under the same pid.
#include <fcntl.h>
#include <poll.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "dbus/bus.hpp"
#include "dbus/names.hpp"

namespace {

using perouter::dbus::BusPtr;
using perouter::dbus::kBusName;
using perouter::dbus::kManagerInterface;
using perouter::dbus::kManagerPath;
using perouter::dbus::MessagePtr;
using perouter::dbus::open_bus;
using perouter::dbus::SdBusError;

// dbus-daemon refuses more outstanding calls per connection than its
// max_replies_per_connection; stay well below any configuration of it.
constexpr int kWindow = 64;
constexpr uint64_t kCallTimeoutUsec = 120ULL * 1000 * 1000;

int usage() {
    std::fputs(
        "usage: dbus_hostile_caller ADDRESS (call METHOD SIG [ARG...] | burst CONNECTIONS "
        "CALLS | send-then-exec PROGRAM [ARG...])\n",
        stderr);
    return 2;
}

BusPtr connect_or_die(const std::string& address) {
    auto bus = open_bus(address);
    if (!bus.ok()) {
        std::fprintf(stderr, "connect: %s\n", bus.error().message.c_str());
        std::exit(2);
    }
    return std::move(*bus);
}

int append_arg(sd_bus_message* m, char type, const char* arg) {
    switch (type) {
        case 's':
            return sd_bus_message_append_basic(m, 's', arg);
        case 'b': {
            int b = std::strcmp(arg, "true") == 0 ? 1 : 0;
            return sd_bus_message_append_basic(m, 'b', &b);
        }
        case 'u': {
            auto u = static_cast<uint32_t>(std::strtoul(arg, nullptr, 10));
            return sd_bus_message_append_basic(m, 'u', &u);
        }
        case 'i': {
            auto i = static_cast<int32_t>(std::strtol(arg, nullptr, 10));
            return sd_bus_message_append_basic(m, 'i', &i);
        }
        default:
            return -EINVAL;
    }
}

int do_call(const std::string& address, int argc, char** argv) {
    if (argc < 2)
        return usage();
    const char* method = argv[0];
    std::string sig = argv[1];
    if (static_cast<size_t>(argc - 2) != sig.size())
        return usage();
    BusPtr bus = connect_or_die(address);
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus.get(), &raw, kBusName, kManagerPath,
                                           kManagerInterface, method);
    if (r < 0)
        return 2;
    MessagePtr m(raw);
    for (size_t i = 0; i < sig.size(); ++i)
        if (append_arg(m.get(), sig[i], argv[2 + i]) < 0)
            return usage();
    SdBusError error;
    sd_bus_message* reply = nullptr;
    r = sd_bus_call(bus.get(), m.get(), kCallTimeoutUsec, error.get(), &reply);
    sd_bus_message_unref(reply);
    if (r >= 0)
        std::puts("ok");
    else if (sd_bus_error_is_set(error.get()))
        std::printf("error %s\n", error.get()->name);
    else
        std::printf("error errno-%d\n", -r);
    return 0;
}

struct Burst {
    int to_send = 0;  // calls not sent yet, over all connections
    int sent = 0;
    int returns = 0;
    int errors = 0;
    int unanswered = 0;
    std::map<std::string, int> by_name;
};

struct Connection {
    BusPtr bus;
    Burst* burst = nullptr;
    int in_flight = 0;
    bool dead = false;
};

int on_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
    auto* c = static_cast<Connection*>(userdata);
    --c->in_flight;
    const sd_bus_error* e = sd_bus_message_get_error(reply);
    if (e == nullptr) {
        ++c->burst->returns;
        return 1;
    }
    if (sd_bus_error_has_names(e, SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_NO_REPLY) > 0) {
        ++c->burst->unanswered;
        return 1;
    }
    ++c->burst->errors;
    ++c->burst->by_name[e->name];
    return 1;
}

int send_one(Connection& c) {
    static const char* const kProperty = "State";
    sd_bus_message* raw = nullptr;
    // One global turn over all connections, so each kind is exactly a quarter of the calls.
    int kind = c.burst->sent % 4;
    int r = 0;
    if (kind == 3)
        r = sd_bus_message_new_method_call(c.bus.get(), &raw, kBusName, kManagerPath,
                                           "org.freedesktop.DBus.Properties", "Get");
    else
        r = sd_bus_message_new_method_call(c.bus.get(), &raw, kBusName, kManagerPath,
                                           kManagerInterface,
                                           kind == 0   ? "ListVpns"
                                           : kind == 1 ? "Validate"
                                                       : "Reload");
    if (r < 0)
        return r;
    MessagePtr m(raw);
    if (kind == 1)
        r = sd_bus_message_append(m.get(), "s", "[[l2vni]]\nname = \"burst\"\nvni = 300\n");
    else if (kind == 3)
        r = sd_bus_message_append(m.get(), "ss", kManagerInterface, kProperty);
    if (r < 0)
        return r;
    r = sd_bus_call_async(c.bus.get(), nullptr, m.get(), on_reply, &c, kCallTimeoutUsec);
    if (r < 0)
        return r;
    ++c.in_flight;
    ++c.burst->sent;
    --c.burst->to_send;
    return 0;
}

int do_burst(const std::string& address, int argc, char** argv) {
    if (argc != 2)
        return usage();
    int connections = std::atoi(argv[0]);
    int calls = std::atoi(argv[1]);
    if (connections <= 0 || calls <= 0)
        return usage();
    Burst burst;
    burst.to_send = calls;
    std::vector<Connection> conns(static_cast<size_t>(connections));
    for (auto& c : conns) {
        c.bus = connect_or_die(address);
        c.burst = &burst;
    }
    for (;;) {
        bool busy = false;
        for (auto& c : conns) {
            if (c.dead)
                continue;
            while (burst.to_send > 0 && c.in_flight < kWindow)
                if (send_one(c) < 0) {
                    std::fputs("send failed\n", stderr);
                    return 2;
                }
            int r = 0;
            while ((r = sd_bus_process(c.bus.get(), nullptr)) > 0) {
            }
            if (r < 0) {
                // The connection died: whatever it still waited for was never answered.
                burst.unanswered += c.in_flight;
                c.in_flight = 0;
                c.dead = true;
                continue;
            }
            busy = busy || c.in_flight > 0;
        }
        if (!busy && burst.to_send == 0)
            break;
        if (burst.to_send > 0 &&
            std::all_of(conns.begin(), conns.end(), [](const Connection& c) { return c.dead; }))
            break;
        std::vector<pollfd> fds;
        for (auto& c : conns)
            if (!c.dead)
                fds.push_back({sd_bus_get_fd(c.bus.get()),
                               static_cast<short>(sd_bus_get_events(c.bus.get())), 0});
        // sd-bus's own call timeouts surface through sd_bus_process on the next turn.
        poll(fds.data(), fds.size(), 100);
    }
    std::printf("sent %d returns %d errors %d unanswered %d\n", burst.sent, burst.returns,
                burst.errors, burst.unanswered + burst.to_send);
    for (const auto& [name, n] : burst.by_name)
        std::printf("error %s %d\n", name.c_str(), n);
    return 0;
}

int fail_with(const char* what, int r) {
    std::fprintf(stderr, "%s: %s\n", what, std::strerror(r < 0 ? -r : r));
    return 2;
}

int do_send_then_exec(const std::string& address, int argc, char** argv) {
    if (argc < 1)
        return usage();
    BusPtr bus = connect_or_die(address);
    const char* unique = nullptr;
    // Completes the handshake (Hello), so the unique name is known and the call goes out now.
    int r = sd_bus_get_unique_name(bus.get(), &unique);
    if (r < 0)
        return fail_with("unique name", r);
    std::string name = unique;
    sd_bus_message* raw = nullptr;
    if ((r = sd_bus_message_new_method_call(bus.get(), &raw, kBusName, kManagerPath,
                                            kManagerInterface, "Reload")) < 0)
        return fail_with("new call", r);
    MessagePtr m(raw);
    if ((r = sd_bus_send(bus.get(), m.get(), nullptr)) < 0)
        return fail_with("send", r);
    // A round trip to the bus daemon after the call: it has read (and routed) the call once it
    // answers this, since it handles one connection's messages in order.
    SdBusError error;
    sd_bus_message* reply = nullptr;
    if ((r = sd_bus_call_method(bus.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "GetId", error.get(), &reply, "")) < 0)
        return fail_with("GetId", r);
    sd_bus_message_unref(reply);
    // Keep the connection open across exec: it is the call's sender.
    int fd = sd_bus_get_fd(bus.get());
    int flags = fd < 0 ? -1 : fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        return fail_with("clear FD_CLOEXEC", errno);
    std::printf("sent %s\n", name.c_str());
    std::fflush(stdout);
    execv(argv[0], argv);
    return fail_with("execv", errno);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3)
        return usage();
    std::string address = argv[1];
    std::string mode = argv[2];
    if (mode == "call")
        return do_call(address, argc - 3, argv + 3);
    if (mode == "burst")
        return do_burst(address, argc - 3, argv + 3);
    if (mode == "send-then-exec")
        return do_send_then_exec(address, argc - 3, argv + 3);
    return usage();
}
