#include "daemon/notify.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>
#include <time.h>

namespace perouter::daemon {
namespace {

// One status line: newlines would split it into separate (bogus) notify assignments.
std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n')
            c = ' ';
    return s;
}

}  // namespace

void notify_ready(const std::string& status) {
    sd_notify(0, fmt::format("READY=1\nSTATUS={}", one_line(status)).c_str());
}

void notify_status(const std::string& status) {
    sd_notify(0, fmt::format("STATUS={}", one_line(status)).c_str());
}

void notify_reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t usec =
        static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void notify_stopping() {
    sd_notify(0, "STOPPING=1");
}

void notify_watchdog() {
    sd_notify(0, "WATCHDOG=1");
}

uint64_t watchdog_interval_usec() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return usec / 2;
}

}  // namespace perouter::daemon
