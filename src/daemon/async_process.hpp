// A helper program (vtysh) run from the event loop without waiting for it: its output is read
// as it arrives (sd-event io sources), a timer kills it after its timeout, and `done` gets the
// result once both pipes closed. The loop stays free for D-Bus, signals and the watchdog while
// FRR takes its time to answer.
#pragma once

#include <systemd/sd-event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/process.hpp"
#include "common/result.hpp"

namespace perouter::daemon {

class AsyncProcess {
  public:
    using Done = std::function<void(Result<ProcessResult>)>;

    /// Starts argv. `done` runs from the event loop, once; the object may be destroyed after
    /// it returned (not from inside it). Destroying it earlier kills and reaps the child.
    static Result<std::unique_ptr<AsyncProcess>> start(sd_event* event,
                                                       const std::vector<std::string>& argv,
                                                       std::chrono::milliseconds timeout,
                                                       Done done);
    ~AsyncProcess();
    AsyncProcess(const AsyncProcess&) = delete;
    AsyncProcess& operator=(const AsyncProcess&) = delete;

    bool finished() const { return pid_ < 0; }

  private:
    AsyncProcess(std::string program, Done done)
        : program_(std::move(program)), done_(std::move(done)) {}
    void finish();
    static int on_out(sd_event_source* s, int fd, uint32_t revents, void* self);
    static int on_timeout(sd_event_source* s, uint64_t usec, void* self);

    std::string program_;
    Done done_;
    int pid_ = -1;
    int fds_[2] = {-1, -1};  // stdout, stderr
    sd_event_source* io_[2] = {nullptr, nullptr};
    sd_event_source* timer_ = nullptr;
    ProcessResult result_;
};

}  // namespace perouter::daemon
