// FRR's own parser on a configuration text: `vtysh -C`, which needs no running daemon. The text
// goes through a pipe (never a file: it may hold BGP passwords).
//
// A vtysh spends ~35 ms of CPU building its command tables before it reads the first line; the
// reading itself takes a few milliseconds, more when it first enters `router bgp`, a `vrf` or a
// `route-map`. warm_up() starts a vtysh that builds its tables, reads a few lines entering those
// nodes (syntax_check.cpp, kWarmUp) and then waits: the next check only pays for its own lines.
// The daemon checks every change before it touches anything, so this is on the path of every
// AddVpn, drop-in and start (src/README.md, "The FRR side"). It calls warm_up() at start and
// once its loop is idle after a change, not right after the check: a vtysh building its tables
// then would take a core from the change it checked (and from FRR taking it in).
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

    /// Starts a vtysh that waits for the next check, unless one waits already.
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

    std::optional<Spawned> standby_;
    struct stat program_ {};   // what "vtysh" in PATH was when the standby started
    size_t standby_read_ = 0;  // lines the standby was given ahead (syntax_check.cpp, kWarmUp)
};

}  // namespace perouter::frr
