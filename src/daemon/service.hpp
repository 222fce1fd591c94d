// The long-running mode of perouterd: one sd-event loop that reconciles at start, on SIGHUP,
// when a configuration file changes, when a D-Bus caller asks, and when FRR, the router
// namespace or our links need it. It is also the Controller the D-Bus API talks to: every
// source of change goes through the same reload().
#pragma once

#include <systemd/sd-event.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/controller.hpp"
#include "daemon/options.hpp"
#include "daemon/router.hpp"
#include "netlink/monitor.hpp"

namespace perouter::dbus {
class BusServer;
}

namespace perouter::daemon {

class Service : public Controller {
  public:
    explicit Service(Options opts);
    ~Service() override;
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Runs until SIGTERM/SIGINT. Returns the process exit code.
    int run();

    // Controller
    ControlResult<void> reload() override;
    Diagnostics validate(const std::string& toml) override;
    ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                bool persist) override;
    ControlResult<void> remove_vpn(const std::string& name) override;
    std::vector<VpnInfo> vpns() const override;
    ManagerStatus status() const override;
    nlohmann::json describe() const override;

  private:
    /// Reads the files; on success the configuration becomes the running one and is applied.
    /// A configuration with errors is rejected whole and nothing changes.
    ControlResult<void> load_and_apply(const char* why);
    void apply(const char* why);
    void after_apply(const config::Config* before);
    void tick();
    void poll_underlay();
    bool online() const;
    std::string status_line() const;
    void publish();  // STATUS= and D-Bus PropertiesChanged

    void watch_config_dirs();
    void schedule(sd_event_source*& timer, uint64_t usec, sd_event_time_handler_t handler);
    void open_monitor();
    void try_start_bus();

    static int on_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* self);
    static int on_tick(sd_event_source* s, uint64_t usec, void* self);
    static int on_inotify(sd_event_source* s, const struct inotify_event* ev, void* self);
    static int on_files_settled(sd_event_source* s, uint64_t usec, void* self);
    static int on_netlink(sd_event_source* s, int fd, uint32_t revents, void* self);
    static int on_drift_settled(sd_event_source* s, uint64_t usec, void* self);

    Options opts_;
    std::unique_ptr<Router> router_;
    std::optional<config::Config> current_;  // the last configuration that loaded cleanly
    Report last_;
    bool applied_once_ = false;
    std::string state_ = "starting";
    std::string last_error_;  // configuration or reconcile error, "" when all is well
    std::map<std::string, std::string> peers_;  // underlay neighbor -> FRR bgpState
    bool frr_up_ = false;
    uint32_t backoff_ticks_ = 0;  // > 0: the last reconcile left errors; retry after a delay
    uint32_t wait_ticks_ = 0;     // ticks left until that retry
    uint64_t ticks_ = 0;

    sd_event* event_ = nullptr;
    sd_event_source* tick_ = nullptr;
    sd_event_source* files_timer_ = nullptr;  // debounce of configuration file changes
    sd_event_source* drift_timer_ = nullptr;  // debounce of link changes made by others
    std::vector<sd_event_source*> inotify_;
    std::vector<sd_event_source*> netlink_io_;
    std::unique_ptr<netlink::LinkMonitor> monitor_;
    std::unique_ptr<dbus::BusServer> bus_;
};

}  // namespace perouter::daemon
