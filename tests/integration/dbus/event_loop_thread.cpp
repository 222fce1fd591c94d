#include "event_loop_thread.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <stdexcept>

namespace perouter::dbus::test {

EventLoopThread::EventLoopThread() {
    if (sd_event_new(&event_) < 0)
        throw std::runtime_error("sd_event_new failed");
    efd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd_ < 0 || sd_event_add_io(event_, &wakeup_, efd_, EPOLLIN, on_wakeup, this) < 0)
        throw std::runtime_error("eventfd source failed");
    thread_ = std::thread([this] { sd_event_loop(event_); });
}

EventLoopThread::~EventLoopThread() {
    post([this] { sd_event_exit(event_, 0); });
    thread_.join();
    sd_event_source_unref(wakeup_);
    sd_event_unref(event_);
    close(efd_);
}

void EventLoopThread::run_and_wait(const std::function<void()>& f) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    post([&] {
        f();
        std::lock_guard lock(m);
        done = true;
        cv.notify_one();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
}

void EventLoopThread::post(std::function<void()> f) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(f));
    }
    uint64_t one = 1;
    (void)!write(efd_, &one, sizeof one);
}

int EventLoopThread::on_wakeup(sd_event_source*, int fd, uint32_t, void* userdata) {
    auto* self = static_cast<EventLoopThread*>(userdata);
    uint64_t n;
    (void)!read(fd, &n, sizeof n);
    for (;;) {
        std::function<void()> f;
        {
            std::lock_guard lock(self->mu_);
            if (self->queue_.empty())
                break;
            f = std::move(self->queue_.front());
            self->queue_.pop_front();
        }
        f();
    }
    return 0;
}

}  // namespace perouter::dbus::test
