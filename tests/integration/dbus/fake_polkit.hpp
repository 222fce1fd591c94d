// A stand-in for polkitd on the private bus: owns org.freedesktop.PolicyKit1 and answers
// CheckAuthorization with a fixed yes/no, recording what it was asked.
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dbus/bus.hpp"

namespace perouter::dbus::test {

struct PolkitQuery {
    std::string subject_kind;
    std::string subject_name;
    std::string action;
    uint32_t flags = 0;
};

class FakePolkit {
  public:
    /// Connects to `address`, attaches to `event` and takes the name. Call on the loop thread.
    static Result<std::unique_ptr<FakePolkit>> start(sd_event* event, const std::string& address);

    void set_answer(bool authorized, bool challenge = false) {
        authorized_ = authorized;
        challenge_ = challenge;
    }
    /// While held, queries are recorded but not answered until release() (on the loop thread).
    void hold() { held_ = true; }
    /// Answers every held query with `authorized` and stops holding. Call on the loop thread.
    void release(bool authorized);
    std::vector<PolkitQuery> queries() const {
        std::lock_guard lock(mu_);
        return queries_;
    }

    /// The CheckAuthorization handler (public for the vtable).
    static int on_check(sd_bus_message* m, void* userdata, sd_bus_error* ret_error);

  private:
    BusPtr bus_;
    SlotPtr slot_;
    std::atomic<bool> authorized_{false};
    std::atomic<bool> challenge_{false};
    std::atomic<bool> held_{false};
    std::vector<MessagePtr> waiting_;  // loop thread only
    mutable std::mutex mu_;
    std::vector<PolkitQuery> queries_;
};

}  // namespace perouter::dbus::test
