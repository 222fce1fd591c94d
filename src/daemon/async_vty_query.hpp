// One command to an FRR daemon over its vty socket (frr/vty.hpp), asked from the event loop
// without waiting for the answer: the answer is read as it arrives (an sd-event io source), a
// timer gives up after the timeout, and `done` gets the output. The loop stays free for D-Bus,
// signals and the watchdog while FRR takes its time to answer; no vtysh process is started
// (~35 ms of CPU each, which the underlay's state query would spend at every watchdog ping).
#pragma once

#include <systemd/sd-event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace perouter::daemon {

class AsyncVtyQuery {
  public:
    /// The command's output, or why there is none: the socket refused (its errno), the daemon
    /// closed the connection (ECONNRESET), no whole answer in time (ETIMEDOUT), or a status
    /// other than success (EINVAL, with the output).
    using Done = std::function<void(Result<std::string>)>;

    /// Sends `command` to the daemon behind `socket_path`. `done` runs from the event loop, once
    /// (also for a socket that refuses at once); the object may be destroyed after it returned
    /// (not from inside it). Destroying it earlier drops the question.
    static Result<std::unique_ptr<AsyncVtyQuery>> start(sd_event* event,
                                                        const std::string& socket_path,
                                                        const std::string& command,
                                                        std::chrono::milliseconds timeout,
                                                        Done done);
    ~AsyncVtyQuery();
    AsyncVtyQuery(const AsyncVtyQuery&) = delete;
    AsyncVtyQuery& operator=(const AsyncVtyQuery&) = delete;

    bool finished() const { return finished_; }

  private:
    AsyncVtyQuery(std::string what, Done done) : what_(std::move(what)), done_(std::move(done)) {}
    void finish(Result<std::string> r);
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* self);
    static int on_timeout(sd_event_source* s, uint64_t usec, void* self);
    static int on_refused(sd_event_source* s, void* self);

    std::string what_;  // "'<command>' on <socket>", for errors
    Done done_;
    Fd fd_;
    std::string pending_;  // what is still to be sent
    std::string answer_;
    Error refused_;
    bool finished_ = false;
    sd_event_source* io_ = nullptr;
    sd_event_source* timer_ = nullptr;
    sd_event_source* defer_ = nullptr;
};

}  // namespace perouter::daemon
