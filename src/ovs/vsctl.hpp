// Talking to Open vSwitch: ovs-vsctl against one OVSDB server.
//
// Why ovs-vsctl and not OVSDB's JSON-RPC by hand: ovs-vsctl is OVS's own, stable interface and
// ships with openvswitch-common wherever OVS runs. Each invocation is one atomic OVSDB
// transaction, and it knows the schema's details (the root row's bridge set, a Port's
// Interface row, named UUIDs) that a hand-written client would have to re-implement and
// follow across OVS versions. Its `--format=json` output is machine-readable, and an observe
// or a change is one short process, like the vtysh calls that drive FRR; reconciles are rare
// enough for that to cost nothing. It adds no library dependency, and perouter runs without
// OVS installed as long as no host_master asks for an OVS bridge.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace perouter::ovs {

/// The system's OVSDB socket (Debian's openvswitch-switch); perouterd --ovsdb changes it.
inline constexpr std::string_view kDefaultDatabase = "unix:/run/openvswitch/db.sock";

/// Why `remote` cannot be used as the database (only "unix:/ABSOLUTE/PATH" is accepted), or ""
/// when it can.
std::string database_problem(std::string_view remote);

class Vsctl {
  public:
    /// How long ovs-vsctl may wait for the database (its --timeout); the process is killed a
    /// little later.
    static constexpr std::chrono::seconds kTimeout{5};

    /// `database` as accepted by database_problem().
    explicit Vsctl(std::string database) : database_(std::move(database)) {}

    const std::string& database() const { return database_; }

    /// Whether the database's socket exists, without starting a process. The error says what
    /// is missing ("Open vSwitch is not running: no socket /run/openvswitch/db.sock").
    Status reachable() const;

    /// The whole command line for `commands` (ovs-vsctl's own "--" separated commands).
    std::vector<std::string> argv(const std::vector<std::string>& commands) const;

    /// Runs ovs-vsctl with `commands` and returns what it printed; a failure carries its
    /// message ("ovs-vsctl: no bridge named br-x").
    Result<std::string> run(const std::vector<std::string>& commands) const;

  private:
    std::string database_;
};

}  // namespace perouter::ovs
