// Which of the instance's FRR daemons each configuration line belongs to, as vtysh routes it.
//
// vtysh sends every line of a script to the daemons that installed that command (its command
// tables, FRR 8.4 vtysh/vtysh.c: DEFSH(VTYSH_...)). Starting a vtysh costs ~35 ms of CPU, most of
// it building those tables, so for the lines render() emits perouterd does the routing itself and
// feeds each daemon its part over the daemon's vty socket (frr/vty.hpp vty_configure). The table
// covers render()'s vocabulary and the `no` forms delta() emits; a script with any other line
// (a raw_frr block's, say) is declined and goes through vtysh as before.
// tests/unit/frr/daemon_route_test.cpp checks the table against vtysh itself: the same scripts
// fed by `vtysh -f` to stand-in daemons must reach each of them line for line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perouter::frr {

/// The daemons of perouterd's instance (frr/instance.hpp required_daemons()), in the order their
/// parts of a script are sent: zebra first (a VRF's L3VNI before bgpd's VRF instance, and its
/// removal before the instance's: bgpd refuses to delete an instance whose L3VNI is configured),
/// bgpd last (what it refers to — route maps, BFD profiles — is in place by then).
enum class Daemon { Zebra, Staticd, Bfdd, Bgpd };

/// The daemon's name: its vty socket <name>.vty, its pid file.
std::string_view to_string(Daemon d);

struct DaemonScript {
    Daemon daemon;
    std::string script;  // its lines, in the order of the input
};

/// The script split by daemon, a line going to each daemon vtysh would send it to; daemons
/// with no line are left out; in Daemon's order. nullopt when a line is not in the table (the
/// caller then uses vtysh). Blank lines and comments are dropped.
std::optional<std::vector<DaemonScript>> split_by_daemon(std::string_view script);

}  // namespace perouter::frr
