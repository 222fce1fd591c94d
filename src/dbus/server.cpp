#include "dbus/server.hpp"

#include <exception>
#include <string>

#include "dbus/error_map.hpp"
#include "dbus/names.hpp"
#include "dbus/server_core.hpp"

namespace perouter::dbus {

BusServer::BusServer(std::unique_ptr<detail::ServerCore> core, dbus::Controller& controller,
                     sd_event* event)
    : core_(std::move(core)), controller_(controller), event_(event) {}

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
    std::unique_ptr<BusServer> server(new BusServer(std::move(core), controller, event));
    controller.on_change([s = server.get()]() noexcept { s->refresh_soon(); });
    return server;
}

BusServer::~BusServer() {
    controller_.on_change({});
    sd_event_source_disable_unref(refresh_due_);
}

void BusServer::refresh() {
    core_->refresh();
}

namespace {

// Both run inside the daemon's code (its changed(), its loop); nothing may unwind into it.
template <class F>
void announce(detail::ServerCore& core, F&& f) noexcept {
    try {
        f();
    } catch (const std::exception& e) {
        core.log(std::string("Failed to announce a change on the bus: ") + e.what());
    }
}

}  // namespace

void BusServer::refresh_soon() noexcept {
    announce(*core_, [this] { core_->refresh_status(); });
    if (refresh_due_)
        return;
    refreshes_at_change_ = core_->refreshes();
    if (sd_event_add_defer(event_, &refresh_due_, on_refresh_due, this) >= 0)
        return;
    refresh_due_ = nullptr;
    on_refresh_due(nullptr, this);  // no event source to be had: now, then
}

int BusServer::on_refresh_due(sd_event_source* /*source*/, void* userdata) {
    auto* self = static_cast<BusServer*>(userdata);
    self->refresh_due_ = sd_event_source_disable_unref(self->refresh_due_);
    if (self->core_->refreshes() != self->refreshes_at_change_)
        return 0;  // a refresh since the change has seen it
    announce(*self->core_, [self] { self->core_->refresh(); });
    return 0;
}

sd_bus* BusServer::bus() const {
    return core_->bus();
}

size_t BusServer::pending_authorizations() const {
    return core_->authorizer().pending();
}

}  // namespace perouter::dbus
