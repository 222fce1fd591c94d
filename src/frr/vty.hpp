#pragma once
// One FRR daemon's vty socket (<rundir>/<daemon>.vty), spoken to as vtysh does, without a vtysh
// process: each command goes as its text and a NUL; the daemon answers with the output and four
// bytes, three NULs and the command's status (lib/vty.c vtysh_read / vtysh_flush, FRR 8.4).
// A vtysh costs 30 ms or more of CPU (it loads every daemon's command tables and connects to
// each of them), a query here a few hundred microseconds.

#include <chrono>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace perouter::frr {

/// Whether the daemon accepts a connection on `socket_path` (what vtysh goes by when it lists
/// the daemons it can reach): a connect(), nothing sent. The error says why not.
Status vty_accepts(const std::string& socket_path);

/// Runs `commands` in order on the daemon behind `socket_path` and returns the last one's
/// output. A command whose status is not success (CMD_SUCCESS, 0) fails with its output; so
/// does a daemon that closes the socket or does not answer within `timeout` (all commands).
Result<std::string> vty_query(const std::string& socket_path,
                              const std::vector<std::string>& commands,
                              std::chrono::milliseconds timeout);

}  // namespace perouter::frr
