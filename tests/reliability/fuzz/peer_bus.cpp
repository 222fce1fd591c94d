#include "peer_bus.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace perouter::fuzz {

Result<PeerBus> PeerBus::open() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
        return fail(errno_error(errno, "socketpair"));
    PeerBus p;
    sd_bus* raw = nullptr;
    int r = sd_bus_new(&raw);
    if (r < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return fail(errno_error(-r, "sd_bus_new"));
    }
    p.server.reset(raw);
    if ((r = sd_bus_new(&raw)) < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return fail(errno_error(-r, "sd_bus_new"));
    }
    p.client.reset(raw);
    // From here each bus owns its descriptor.
    sd_id128_t id{};
    id.bytes[0] = 1;
    if ((r = sd_bus_set_fd(p.server.get(), fds[0], fds[0])) < 0 ||
        (r = sd_bus_set_server(p.server.get(), 1, id)) < 0 ||
        (r = sd_bus_set_fd(p.client.get(), fds[1], fds[1])) < 0)
        return fail(errno_error(-r, "set up the socketpair buses"));
    if ((r = sd_bus_start(p.server.get())) < 0 || (r = sd_bus_start(p.client.get())) < 0)
        return fail(errno_error(-r, "start the socketpair buses"));
    if (!pump(p.server.get(), p.client.get()))
        return fail(std::string("the socketpair handshake failed"));
    return p;
}

bool pump(sd_bus* server, sd_bus* client) {
    for (;;) {
        int a = sd_bus_process(server, nullptr);
        int b = sd_bus_process(client, nullptr);
        if (a < 0 || b < 0)
            return false;
        if (a == 0 && b == 0)
            return true;
    }
}

}  // namespace perouter::fuzz
