#include "daemon/config_watch.hpp"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/load.hpp"

namespace fs = std::filesystem;

namespace perouter::daemon {

namespace {

// A file counts once it is complete: closed after writing, or renamed into place. IN_CREATE
// matters for symlinks (a mask to /dev/null) and directories; a regular file being written is
// read at its IN_CLOSE_WRITE, never half-way. IN_MODIFY only marks it as being written.
constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                           IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

bool is_toml(const std::string& name) {
    return name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0 && name[0] != '.';
}

}  // namespace

FileEvent classify(uint32_t mask, const std::string& dir, const std::string& name, bool is_symlink,
                   const std::vector<std::string>& wanted) {
    if (mask & IN_Q_OVERFLOW)
        return FileEvent::Overflow;
    if (mask & (IN_DELETE_SELF | IN_MOVE_SELF))
        return FileEvent::Rewatch;
    if (mask & IN_IGNORED)
        return FileEvent::Ignore;
    if (mask & IN_ISDIR) {
        // Only a directory on the way to one we read matters (not, say, our own state
        // directory under /run/perouter).
        const std::string path = dir + "/" + name;
        bool on_the_way = std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
            return w == path || w.rfind(path + "/", 0) == 0;
        });
        return on_the_way ? FileEvent::Rewatch : FileEvent::Ignore;
    }
    // Only TOML files matter; editors' swap files and atomic writers' temporaries do not.
    if (!is_toml(name))
        return FileEvent::Ignore;
    if ((mask & (IN_CREATE | IN_MODIFY)) && !is_symlink)
        return FileEvent::Writing;
    return FileEvent::Complete;
}

Result<std::unique_ptr<ConfigWatch>> ConfigWatch::open(sd_event* event, const std::string& root,
                                                       Changed changed) {
    // /etc and /run are where drop-ins arrive at runtime: make sure they can be watched.
    for (const char* base : {"/etc/perouter/perouter.d", "/run/perouter/perouter.d"}) {
        std::error_code ec;
        fs::create_directories(root + base, ec);
    }
    std::unique_ptr<ConfigWatch> w(new ConfigWatch(root, std::move(changed)));
    w->fd_ = netlink::Fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!w->fd_.valid())
        return fail(errno_error(errno, "inotify_init1"));
    if (int r = sd_event_add_io(event, &w->io_, w->fd_.get(), EPOLLIN, on_io, w.get()); r < 0)
        return fail(errno_error(-r, "watch the configuration directories"));
    w->rewatch();
    return w;
}

ConfigWatch::~ConfigWatch() {
    sd_event_source_disable_unref(io_);
}

void ConfigWatch::rewatch() {
    wanted_.clear();
    std::map<int, std::string> now;
    for (const auto& dir : config::Layout{root_}.dirs()) {
        for (const std::string& want : {dir, dir + "/perouter.d"}) {
            wanted_.push_back(want);
            // A directory that does not exist yet (a vendor directory before the package that
            // fills it) is noticed through its nearest existing parent.
            fs::path d = want;
            while (!fs::is_directory(d) && d.has_parent_path() && d != d.parent_path())
                d = d.parent_path();
            // The same inode gives the same watch descriptor: a directory still watched keeps
            // its descriptor and its queued events.
            int wd = ::inotify_add_watch(fd_.get(), d.c_str(), kMask);
            if (wd < 0) {
                spdlog::warn("cannot watch {}: {}", d.string(), strerror(errno));
                continue;
            }
            now[wd] = d.string();
        }
    }
    for (const auto& [wd, path] : dirs_)
        if (!now.count(wd))
            ::inotify_rm_watch(fd_.get(), wd);
    dirs_ = std::move(now);
}

void ConfigWatch::handle(uint32_t mask, int wd, const std::string& name) {
    std::string dir;
    if (auto it = dirs_.find(wd); it != dirs_.end())
        dir = it->second;
    else if (!(mask & IN_Q_OVERFLOW))
        return;  // a directory no longer watched
    const std::string path = dir + "/" + name;
    struct stat st {};
    bool is_symlink = !name.empty() && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
    switch (classify(mask, dir, name, is_symlink, wanted_)) {
        case FileEvent::Ignore:
            return;
        case FileEvent::Writing:
            writing_.insert(path);
            return;
        case FileEvent::Complete:
            writing_.erase(path);
            changed_(path);
            return;
        case FileEvent::Rewatch:
            rewatch();
            changed_(name.empty() ? dir : path);
            return;
        case FileEvent::Overflow:
            spdlog::warn("configuration directory events overflowed; reading every file again");
            writing_.clear();
            changed_("(event overflow)");
            return;
    }
}

void ConfigWatch::drain() {
    alignas(struct inotify_event) char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n <= 0)
            return;  // EAGAIN: nothing more queued
        for (char* p = buf; p < buf + n;) {
            const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
            handle(ev->mask, ev->wd, ev->len ? std::string(ev->name) : std::string());
            p += sizeof(struct inotify_event) + ev->len;
        }
    }
}

int ConfigWatch::on_io(sd_event_source*, int, uint32_t, void* self) {
    static_cast<ConfigWatch*>(self)->drain();
    return 0;
}

}  // namespace perouter::daemon
