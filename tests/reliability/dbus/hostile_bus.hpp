// The fixture of the D-Bus reliability tests: a private system-like bus with the shipped
// policy (tests/integration/dbus/private_bus.hpp), the server on its own loop thread over a
// Controller that validates with the real configuration layer, optionally the fake polkit,
// and ways to call it as root (in process) or as nobody (dbus_hostile_caller under setpriv).
#pragma once

#include <gtest/gtest.h>
#include <systemd/sd-bus.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/process.hpp"
#include "dbus/bus.hpp"
#include "dbus/server.hpp"
#include "event_loop_thread.hpp"
#include "fake_controller.hpp"
#include "fake_polkit.hpp"
#include "private_bus.hpp"

namespace perouter::dbus::test {

/// A FakeController whose Validate and AddVpn documents go through the configuration layer
/// (config::parse_with, check_vpn_document, vpn_name_problem) as perouterd's do, so hostile
/// TOML reaches the real parser through the bus.
class ConfigController : public FakeController {
  public:
    Diagnostics validate(const std::string& toml) override;
    dbus::ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                      bool persist) override;
    dbus::ControlResult<void> remove_vpn(const std::string& name) override;

    /// false: Validate answers FakeController::set_validate_result's list instead.
    void use_real_config(bool real) { real_config_ = real; }

  private:
    std::atomic<bool> real_config_{true};
};

/// What one call got back.
struct Answer {
    bool ok = false;
    std::string error_name;  // "" when ok
    std::string error_message;
    MessagePtr reply;  // the method return, when ok
};

/// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& condition,
                std::chrono::seconds timeout = std::chrono::seconds(30));

class HostileBusTest : public ::testing::Test {
  protected:
    enum class Polkit { Absent, SaysNo };
    enum class Caller { Root, Nobody, NobodyNetAdmin };

    void SetUp() override { start(Polkit::Absent); }
    void TearDown() override;
    void start(Polkit polkit);

    /// Calls `member` on the Manager (or `interface`/`path`) as root from this thread; `fill`
    /// appends the arguments.
    Answer call(const char* member, const std::function<int(sd_bus_message*)>& fill = {},
                const char* interface = nullptr, const char* path = nullptr);
    /// True when ListVpns answers with the VPN list.
    bool answers();
    /// Runs dbus_hostile_caller with `args` after the address, as `who`.
    ProcessResult hostile(Caller who, std::vector<std::string> args,
                          std::chrono::seconds timeout = std::chrono::seconds(60));
    /// The Controller calls other than validate, in order.
    std::vector<std::string> mutations() const;
    std::vector<std::string> log() const;

    ConfigController controller_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<EventLoopThread> loop_;
    std::unique_ptr<BusServer> server_;
    std::unique_ptr<FakePolkit> polkit_;
    BusPtr root_;  // this thread's connection
    mutable std::mutex log_mu_;
    std::vector<std::string> log_;
};

}  // namespace perouter::dbus::test
