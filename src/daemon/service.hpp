// The long-running mode of perouterd: one sd-event loop that reconciles at start, on SIGHUP,
// when FRR or the router namespace needs it, and retries after failures.
#pragma once

#include <systemd/sd-event.h>

#include <memory>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "daemon/options.hpp"
#include "daemon/router.hpp"

namespace perouter::daemon {

class Service {
  public:
    explicit Service(Options opts) : opts_(std::move(opts)) {}
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Runs until SIGTERM/SIGINT. Returns the process exit code.
    int run();

  private:
    /// Loads the configuration; on success it becomes the running one and is applied. A
    /// rejected configuration leaves everything as it was (and is logged with positions).
    void reload(const char* why);
    void apply_current(const char* why);
    void tick();
    std::string status_line() const;

    static int on_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* self);
    static int on_timer(sd_event_source* s, uint64_t usec, void* self);

    Options opts_;
    std::unique_ptr<Router> router_;
    std::optional<config::Config> current_;  // the last configuration that loaded cleanly
    Report last_;
    std::string last_error_;      // configuration or reconcile error, "" when all is well
    uint32_t backoff_ticks_ = 0;  // > 0: the last reconcile left errors; retry after a delay
    uint32_t wait_ticks_ = 0;     // ticks left until that retry
    sd_event* event_ = nullptr;
    sd_event_source* timer_ = nullptr;
};

}  // namespace perouter::daemon
