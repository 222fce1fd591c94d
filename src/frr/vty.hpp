#pragma once
// One FRR daemon's vty socket (<rundir>/<daemon>.vty), spoken to as vtysh does, without a vtysh
// process: each command goes as its text and a NUL; the daemon answers with the output and four
// bytes, three NULs and the command's status (lib/vty.c vtysh_read / vtysh_flush, FRR 8.4).
// A vtysh costs 30 ms or more of CPU (it loads every daemon's command tables and connects to
// each of them), a query here a few hundred microseconds.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace perouter::frr {

/// A connected stream socket to the daemon behind `socket_path` (non-blocking when asked: a
/// daemon whose listen backlog is full then fails with EAGAIN instead of blocking).
Result<Fd> vty_connect(const std::string& socket_path, bool nonblocking = false);

/// A command as the daemon reads it: its text and a NUL.
std::string vty_command(std::string_view command);

/// The daemon's answer framing: the command's status (0 success, 1 warning, ...) when `buf`
/// holds a whole answer, which is then its output followed by those four bytes; nullopt while
/// more is to come.
std::optional<int> vty_answer_status(std::string_view buf);

/// Whether the daemon accepts a connection on `socket_path` (what vtysh goes by when it lists
/// the daemons it can reach): a connect(), nothing sent. The error says why not.
Status vty_accepts(const std::string& socket_path);

/// Runs `commands` in order on the daemon behind `socket_path` and returns the last one's
/// output. A command whose status is not success (CMD_SUCCESS, 0) fails with its output; so
/// does a daemon that closes the socket or does not answer within `timeout` (all commands).
Result<std::string> vty_query(const std::string& socket_path,
                              const std::vector<std::string>& commands,
                              std::chrono::milliseconds timeout);

/// Applies a configuration script (vtysh -f's input) on the daemon behind `socket_path` the way
/// `vtysh -f` does for each daemon (vtysh/vtysh_config.c vtysh_read_file, FRR 8.4): "enable",
/// "configure terminal", "XFRR_start_configuration", the script's lines, then
/// "XFRR_end_configuration" and "end" — the end marker is sent even after a failed line, so the
/// daemon never waits for the rest of a configuration read. A line fails when its status is
/// neither success nor a warning (vtysh's rule); every line is tried, the first failure is
/// returned with its line number. Only for a script whose every line is this daemon's.
Status vty_configure(const std::string& socket_path, const std::string& script,
                     std::chrono::milliseconds timeout);

}  // namespace perouter::frr
