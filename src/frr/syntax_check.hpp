// FRR's own parser on a configuration text: `vtysh -C`, which needs no running daemon. The text
// goes through a pipe (never a file: it may hold BGP passwords).
//
// A vtysh spends ~35 ms of CPU building its command tables before it reads the first line; the
// reading itself takes a few milliseconds. A SyntaxChecker that is kept warm starts the next
// vtysh right after each check (and once at warm_up()), which builds its tables on the other
// core and then waits on its empty stdin: the next check only pays for the reading. The daemon
// checks every change before it touches anything, so this is on the path of every AddVpn,
// drop-in and start (src/README.md, "The FRR side").
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "common/process.hpp"
#include "common/result.hpp"

namespace perouter::frr {

/// One `vtysh -C` on `config`: an error holds what vtysh printed about the lines it rejects.
Status syntax_check(const std::string& config);

class SyntaxChecker {
  public:
    SyntaxChecker() = default;
    SyntaxChecker(SyntaxChecker&& o) noexcept;
    SyntaxChecker& operator=(SyntaxChecker&& o) noexcept;
    SyntaxChecker(const SyntaxChecker&) = delete;
    SyntaxChecker& operator=(const SyntaxChecker&) = delete;
    ~SyntaxChecker();

    /// From now on one vtysh waits ahead of each check; started here.
    void warm_up();
    /// syntax_check(config), by the waiting vtysh when there is one (and its program is still
    /// the vtysh in PATH: an FRR upgrade is not checked by the old parser).
    Status check(const std::string& config);
    /// The pid of the waiting vtysh, -1 when there is none (for tests).
    int standby_pid() const { return standby_ ? standby_->pid : -1; }

  private:
    void start_standby();
    /// The waiting vtysh, if it is still alive and current; otherwise stops it.
    std::optional<Spawned> take_standby();
    void stop_standby();

    bool warm_ = false;
    std::optional<Spawned> standby_;
    struct stat program_ {};  // what "vtysh" in PATH was when the standby started
};

}  // namespace perouter::frr
