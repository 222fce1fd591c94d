// perouterd's D-Bus service: org.openperouter.Router1 on the system bus, served from the
// daemon's sd-event loop on top of the dbus::Controller interface. The contract is
// schema/org.openperouter.Router1.xml; names are in dbus/names.hpp.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "dbus/controller.hpp"

namespace perouter::dbus {

namespace detail {
class ServerCore;
}

struct BusOptions {
    /// "" = the system bus (sd_bus_open_system, which honours DBUS_SYSTEM_BUS_ADDRESS);
    /// otherwise a D-Bus address such as "unix:path=/run/x/bus".
    std::string address;
    /// Receives one line per denied mutating call and per signal that could not be sent. The
    /// server itself never logs; empty = drop.
    std::function<void(std::string_view)> log;
};

class BusServer {
  public:
    /// Connects, registers the Manager object, the ObjectManager and the per-VPN objects,
    /// attaches the connection to `event`, registers the error map, takes the Controller's
    /// on_change slot (one slot: a daemon that needs more listeners fans out itself) and
    /// requests the bus name (failing if another process owns it or the bus policy forbids
    /// it). The Controller and `event` must outlive the server; call everything on the loop's
    /// thread, including Controller::changed().
    ///
    /// Mutating methods (Reload, AddVpn, RemoveVpn) call the Controller synchronously and reply
    /// once it returns, i.e. once the change is applied; clients need a long method-call
    /// timeout (kLongCallTimeoutUsec, 300 s).
    static Result<std::unique_ptr<BusServer>> start(sd_event* event, dbus::Controller& controller,
                                                    const BusOptions& options = {});

    BusServer(const BusServer&) = delete;
    BusServer& operator=(const BusServer&) = delete;
    /// Releases the name and closes the connection; clears the Controller's on_change.
    ~BusServer();

    /// Emits the signals for whatever changed since the bus last looked at the Controller.
    /// The daemon may call it (on the loop thread). Controller::changed() signals the Manager's
    /// properties at once but the VPN list (a look at every VPN) once the loop is back, so the
    /// several changes one reload announces (reloading, applied, running) cost one look at the
    /// VPNs, not one each. A method that changed something refreshes before it replies, and
    /// then the deferred one is dropped.
    void refresh();

    /// The server's connection, for the daemon's own calls on the same bus (e.g. to systemd).
    sd_bus* bus() const;

    /// Mutating calls waiting for polkit's answer.
    size_t pending_authorizations() const;

  private:
    BusServer(std::unique_ptr<detail::ServerCore> core, dbus::Controller& controller,
              sd_event* event);
    /// Controller::changed(): the Manager's properties now, the rest once the loop is back
    /// unless a refresh comes first.
    void refresh_soon() noexcept;
    static int on_refresh_due(sd_event_source* source, void* userdata);

    std::unique_ptr<detail::ServerCore> core_;
    dbus::Controller& controller_;
    sd_event* event_;
    sd_event_source* refresh_due_ = nullptr;
    uint64_t refreshes_at_change_ = 0;  // ServerCore::refreshes() when refresh_due_ was added
};

}  // namespace perouter::dbus
