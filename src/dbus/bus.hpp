// Owning handles for sd-bus objects (so every exit path drops its references) and the one
// function that opens a connection.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>
#include <string>

#include "common/result.hpp"

namespace perouter::dbus {

struct BusUnref {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct SlotUnref {
    void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
struct MessageUnref {
    void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct CredsUnref {
    void operator()(sd_bus_creds* c) const { sd_bus_creds_unref(c); }
};

using BusPtr = std::unique_ptr<sd_bus, BusUnref>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotUnref>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;
using CredsPtr = std::unique_ptr<sd_bus_creds, CredsUnref>;

/// An sd_bus_error that frees itself.
class SdBusError {
  public:
    SdBusError() = default;
    SdBusError(const SdBusError&) = delete;
    SdBusError& operator=(const SdBusError&) = delete;
    ~SdBusError() { sd_bus_error_free(&e_); }
    sd_bus_error* get() { return &e_; }
    const sd_bus_error* get() const { return &e_; }

  private:
    sd_bus_error e_ = SD_BUS_ERROR_NULL;
};

/// Connects as a bus client to `address`, or to the system bus when it is empty
/// (sd_bus_open_system, which honours DBUS_SYSTEM_BUS_ADDRESS).
Result<BusPtr> open_bus(const std::string& address);

}  // namespace perouter::dbus
