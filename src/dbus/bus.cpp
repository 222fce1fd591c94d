#include "dbus/bus.hpp"

namespace perouter::dbus {

Result<BusPtr> open_bus(const std::string& address) {
    sd_bus* raw = nullptr;
    if (address.empty()) {
        int r = sd_bus_open_system(&raw);
        if (r < 0)
            return fail(errno_error(-r, "connect to the system bus"));
        return BusPtr(raw);
    }
    int r = sd_bus_new(&raw);
    if (r < 0)
        return fail(errno_error(-r, "allocate bus"));
    BusPtr bus(raw);
    if ((r = sd_bus_set_address(bus.get(), address.c_str())) < 0 ||
        (r = sd_bus_set_bus_client(bus.get(), 1)) < 0 ||
        (r = sd_bus_set_trusted(bus.get(), 0)) < 0 || (r = sd_bus_start(bus.get())) < 0)
        return fail(errno_error(-r, "connect to bus '" + address + "'"));
    return bus;
}

}  // namespace perouter::dbus
