// Two sd-bus connections joined by a socketpair (a direct, daemon-less D-Bus connection) in one
// thread: the server end carries perouterd's objects, the client end sends calls. pump() moves
// messages both ways until nothing more can happen, so a fuzz iteration needs no event loop,
// no thread and no timeout.
#pragma once

#include <systemd/sd-bus.h>

#include "common/result.hpp"
#include "dbus/bus.hpp"

namespace perouter::fuzz {

struct PeerBus {
    dbus::BusPtr server;
    dbus::BusPtr client;

    /// Creates both ends and completes the authentication handshake.
    static Result<PeerBus> open();
};

/// Processes both ends until neither has anything left to do; false on a connection error.
bool pump(sd_bus* server, sd_bus* client);

}  // namespace perouter::fuzz
