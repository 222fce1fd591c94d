#include "daemon/health_watch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace perouter::daemon {

namespace {

// A file created or removed (a restarted FRR daemon binds a new vty socket; `ip netns del`
// unlinks the namespace file), a rename in or out, the directory itself going away. Not
// IN_MODIFY: FRR's log file in the same directory would wake the loop for every line.
constexpr uint32_t kMask =
    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

int pidfd_open(int pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

HealthWatch::HealthWatch(sd_event* event, Changed changed)
    : event_(event), changed_(std::move(changed)) {}

HealthWatch::~HealthWatch() {
    for (auto& [pid, p] : processes_)
        sd_event_source_disable_unref(p->source);
    for (auto& [path, d] : dirs_)
        sd_event_source_disable_unref(d->source);
}

void HealthWatch::watch(const Watched& w) {
    if (w == watched_)
        return;
    watched_ = w;
    bool gone = false;
    std::string gone_what;

    std::map<int, std::unique_ptr<Process>> processes;
    for (int pid : w.pids) {
        if (processes.count(pid))
            continue;
        if (auto it = processes_.find(pid); it != processes_.end()) {
            processes.emplace(pid, std::move(it->second));
            processes_.erase(it);
            continue;
        }
        int fd = pid > 0 ? pidfd_open(pid) : -1;
        if (fd < 0) {
            gone = true;  // exited before we could watch it, or no pid file
            gone_what = pid > 0 ? fmt::format("process {}", pid) : std::string("a pid file");
            continue;
        }
        auto p = std::make_unique<Process>();
        p->owner = this;
        p->pid = pid;
        if (int r = sd_event_add_io(event_, &p->source, fd, EPOLLIN, on_exit, p.get()); r < 0) {
            ::close(fd);
            spdlog::warn("cannot watch process {}: {}", pid, strerror(-r));
            continue;
        }
        sd_event_source_set_io_fd_own(p->source, 1);
        processes.emplace(pid, std::move(p));
    }
    for (auto& [pid, p] : processes_)
        sd_event_source_disable_unref(p->source);
    processes_ = std::move(processes);

    std::map<std::string, std::set<std::string>> wanted;
    for (const auto& f : w.files) {
        std::filesystem::path p(f);
        wanted[p.parent_path().string()].insert(p.filename().string());
    }
    std::map<std::string, std::unique_ptr<Dir>> dirs;
    for (auto& [path, names] : wanted) {
        std::unique_ptr<Dir> d;
        if (auto it = dirs_.find(path); it != dirs_.end() && it->second->source) {
            d = std::move(it->second);
            dirs_.erase(it);
        } else {
            d = std::make_unique<Dir>();
            d->owner = this;
            d->path = path;
            if (int r = sd_event_add_inotify(event_, &d->source, path.c_str(), kMask, on_entry,
                                             d.get());
                r < 0) {
                d->source = nullptr;
                spdlog::debug("cannot watch {}: {}", path, strerror(-r));
            }
        }
        d->names = std::move(names);
        dirs.emplace(path, std::move(d));
    }
    for (auto& [path, d] : dirs_)
        sd_event_source_disable_unref(d->source);
    dirs_ = std::move(dirs);

    if (gone)
        changed_(gone_what);
}

int HealthWatch::on_exit(sd_event_source* s, int, uint32_t, void* process) {
    auto* p = static_cast<Process*>(process);
    // Readable for good once the process is gone: off until the next watch().
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    p->owner->changed_(fmt::format("process {} exited", p->pid));
    return 0;
}

int HealthWatch::on_entry(sd_event_source* s, const struct inotify_event* e, void* dir) {
    auto* d = static_cast<Dir*>(dir);
    if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        sd_event_source_set_enabled(s, SD_EVENT_OFF);
        d->owner->changed_(d->path);
        return 0;
    }
    if (e->mask & IN_Q_OVERFLOW) {
        d->owner->changed_(d->path + " (events overflowed)");
        return 0;
    }
    if (e->len == 0 || !d->names.count(e->name))
        return 0;
    d->owner->changed_(d->path + "/" + e->name);
    return 0;
}

}  // namespace perouter::daemon
