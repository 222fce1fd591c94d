// An sd-event loop on its own thread, standing in for perouterd's main loop. Everything that
// touches the server's bus connection runs on that thread through run().
#pragma once

#include <systemd/sd-event.h>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

namespace perouter::dbus::test {

class EventLoopThread {
  public:
    EventLoopThread();
    ~EventLoopThread();
    EventLoopThread(const EventLoopThread&) = delete;
    EventLoopThread& operator=(const EventLoopThread&) = delete;

    sd_event* event() const { return event_; }

    /// Runs `f` on the loop thread and waits for it.
    template <class F>
    auto run(F&& f) -> decltype(f()) {
        using R = decltype(f());
        if constexpr (std::is_void_v<R>) {
            run_and_wait([&] { f(); });
        } else {
            std::optional<R> out;
            run_and_wait([&] { out.emplace(f()); });
            return std::move(*out);
        }
    }

  private:
    void run_and_wait(const std::function<void()>& f);
    void post(std::function<void()> f);
    static int on_wakeup(sd_event_source* s, int fd, uint32_t revents, void* userdata);

    sd_event* event_ = nullptr;
    sd_event_source* wakeup_ = nullptr;
    int efd_ = -1;
    std::mutex mu_;
    std::deque<std::function<void()>> queue_;
    std::thread thread_;
};

}  // namespace perouter::dbus::test
