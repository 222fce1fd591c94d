// Runs one RouterClient call and prints the outcome, so tests can make calls as another user
// (setpriv) through the client library: "ok" + result lines, or "error NAME ERRNO" + message.
#include <cstdio>
#include <string>

#include "dbus/client.hpp"

using perouter::dbus::BusError;
using perouter::dbus::RouterClient;

namespace {

int report(const BusError& e) {
    std::printf("error %s %d\n%s\n", e.name.c_str(), e.code, e.message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s ADDRESS VERB [ARGS...]\n", argv[0]);
        return 2;
    }
    auto client = RouterClient::connect(argv[1]);
    if (!client.ok())
        return report(client.error());
    std::string verb = argv[2];
    auto arg = [&](int i) { return i < argc ? std::string(argv[i]) : std::string(); };
    if (verb == "reload") {
        auto r = client->reload();
        return r.ok() ? (std::puts("ok"), 0) : report(r.error());
    }
    if (verb == "add") {
        auto r = client->add_vpn(arg(3), arg(4), arg(5) == "true");
        return r.ok() ? (std::printf("ok\n%s\n", r->c_str()), 0) : report(r.error());
    }
    if (verb == "remove") {
        auto r = client->remove_vpn(arg(3));
        return r.ok() ? (std::puts("ok"), 0) : report(r.error());
    }
    if (verb == "list") {
        auto r = client->list_vpns();
        if (!r.ok())
            return report(r.error());
        std::puts("ok");
        for (const auto& v : *r)
            std::printf("%s %s\n", v.name.c_str(), v.path.c_str());
        return 0;
    }
    if (verb == "status") {
        auto r = client->status();
        return r.ok() ? (std::printf("ok\n%s\n", r->state.c_str()), 0) : report(r.error());
    }
    std::fprintf(stderr, "unknown verb %s\n", verb.c_str());
    return 2;
}
