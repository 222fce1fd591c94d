// Watching the configuration directories (config::Layout::dirs() and their perouter.d) for
// complete files. One inotify descriptor of our own, so that a reload can first read every event
// already queued (drain()): a file closed before the reload was asked for is read by it, never
// stood in for by its previous text. The classification of one event is pure (classify()).
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "netlink/namespaces.hpp"

namespace perouter::daemon {

/// What one directory event means for the configuration.
enum class FileEvent {
    Ignore,    // not a configuration file, or a directory off the way to ours
    Writing,   // a regular .toml file opened for writing: not complete yet
    Complete,  // a .toml file closed after writing, renamed in or out, deleted; a new symlink
    Rewatch,   // a watched directory, or one on the way to a wanted one, came or went
    Overflow,  // events were lost: what is being written is unknown
};

/// `dir` is the watched directory, `name` the entry (empty for the directory itself),
/// `is_symlink` whether the entry is a symlink now. `wanted` are the directories we read.
FileEvent classify(uint32_t mask, const std::string& dir, const std::string& name, bool is_symlink,
                   const std::vector<std::string>& wanted);

class ConfigWatch {
  public:
    /// Called after events that change what a load reads (Complete, Rewatch, Overflow).
    using Changed = std::function<void(const std::string& why)>;

    /// Creates the runtime directories (/etc and /run perouter.d under `root`) and watches
    /// every wanted directory, or its nearest existing parent while it does not exist.
    static Result<std::unique_ptr<ConfigWatch>> open(sd_event* event, const std::string& root,
                                                     Changed changed);
    ~ConfigWatch();
    ConfigWatch(const ConfigWatch&) = delete;
    ConfigWatch& operator=(const ConfigWatch&) = delete;

    /// Handles every event queued now, without waiting. Call before reading the files.
    void drain();
    /// Files opened for writing and not closed yet: a load uses their previous text.
    const std::set<std::string>& writing() const { return writing_; }

  private:
    ConfigWatch(std::string root, Changed changed) : root_(std::move(root)), changed_(changed) {}
    void rewatch();
    void handle(uint32_t mask, int wd, const std::string& name);
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* self);

    std::string root_;
    Changed changed_;
    netlink::Fd fd_;
    sd_event_source* io_ = nullptr;
    std::map<int, std::string> dirs_;  // watch descriptor -> watched directory
    std::vector<std::string> wanted_;  // the directories we read, existing or not
    std::set<std::string> writing_;
};

}  // namespace perouter::daemon
