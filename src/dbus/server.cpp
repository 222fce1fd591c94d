#include "dbus/server.hpp"

#include <exception>
#include <string>

#include "dbus/error_map.hpp"
#include "dbus/names.hpp"
#include "dbus/server_core.hpp"

namespace perouter::dbus {

BusServer::BusServer(std::unique_ptr<detail::ServerCore> core, dbus::Controller& controller)
    : core_(std::move(core)), controller_(controller) {}

Result<std::unique_ptr<BusServer>> BusServer::start(sd_event* event, dbus::Controller& controller,
                                                    const BusOptions& options) {
    int r = register_error_map();
    if (r < 0)
        return fail(errno_error(-r, "register the D-Bus error map"));
    auto bus = open_bus(options.address);
    if (!bus.ok())
        return fail(std::move(bus).error());
    sd_bus* b = bus->get();
    auto core = std::make_unique<detail::ServerCore>(std::move(*bus), controller, options.log);
    PEROUTER_TRY(detail::add_manager_object(*core));
    PEROUTER_TRY(detail::add_vpn_objects(*core));
    if ((r = sd_bus_attach_event(b, event, SD_EVENT_PRIORITY_NORMAL)) < 0)
        return fail(errno_error(-r, "attach the bus to the event loop"));
    // Objects first, name last: a client that sees the name appear finds everything in place.
    if ((r = sd_bus_request_name(b, kBusName, 0)) < 0)
        return fail(errno_error(-r, std::string("request the bus name ") + kBusName));
    std::unique_ptr<BusServer> server(new BusServer(std::move(core), controller));
    detail::ServerCore* c = server->core_.get();
    // on_change runs inside the daemon's code; nothing may unwind into it from here.
    controller.on_change([c]() noexcept {
        try {
            c->refresh();
        } catch (const std::exception& e) {
            c->log(std::string("Failed to announce a change on the bus: ") + e.what());
        }
    });
    return server;
}

BusServer::~BusServer() {
    controller_.on_change({});
}

void BusServer::refresh() {
    core_->refresh();
}

sd_bus* BusServer::bus() const {
    return core_->bus();
}

size_t BusServer::pending_authorizations() const {
    return core_->authorizer().pending();
}

}  // namespace perouter::dbus
