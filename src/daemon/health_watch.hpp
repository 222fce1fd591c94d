// What perouterd supervises (FRR's daemons, the underlay's DHCP client, the router namespace),
// watched by events instead of a periodic check: a pidfd per process becomes readable when it
// exits, and inotify on the directories of the files that announce a change (the vty socket a
// restarted daemon binds anew, a pid file created or removed, /run/netns/<name> deleted or
// replaced). Either calls
// `changed`; the service then runs Router::check_health() (src/daemon/router.hpp), which says
// what to do. Nothing here polls.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace perouter::daemon {

/// What to watch, as Router::watched() lists it.
struct Watched {
    std::vector<int> pids;           // processes whose exit calls for a check
    std::vector<std::string> files;  // paths whose creation, deletion or rename does
    bool operator==(const Watched&) const = default;
};

class HealthWatch {
  public:
    /// `what` names the process or file, for the log.
    using Changed = std::function<void(const std::string& what)>;

    HealthWatch(sd_event* event, Changed changed);
    ~HealthWatch();
    HealthWatch(const HealthWatch&) = delete;
    HealthWatch& operator=(const HealthWatch&) = delete;

    /// Watches exactly `w` from now on. A process that is gone already, or a pid of 0 (no pid
    /// file), calls `changed` once; a directory that does not exist is left out until the next
    /// call.
    void watch(const Watched& w);

  private:
    struct Dir {
        HealthWatch* owner = nullptr;
        std::string path;
        std::set<std::string> names;  // the entries that matter
        sd_event_source* source = nullptr;
    };
    struct Process {
        HealthWatch* owner = nullptr;
        int pid = 0;
        sd_event_source* source = nullptr;  // owns the pidfd
    };

    static int on_exit(sd_event_source* s, int fd, uint32_t revents, void* process);
    static int on_entry(sd_event_source* s, const struct inotify_event* e, void* dir);

    sd_event* event_;
    Changed changed_;
    Watched watched_;
    std::map<int, std::unique_ptr<Process>> processes_;
    std::map<std::string, std::unique_ptr<Dir>> dirs_;
};

}  // namespace perouter::daemon
