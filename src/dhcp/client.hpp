// The underlay's DHCP client: dhcpcd (Debian's dhcpcd-base) in the router namespace, leasing
// the IPv4 address of the macvlan underlay (`[underlay.macvlan] dhcp = true`).
//
// dhcpcd configures the address itself (with --persistent it stays on the link when dhcpcd
// exits, so restarting the client or perouterd does not take the underlay's address away); it
// installs no default route (--nogateway: the router's routes come from BGP), runs no hook
// scripts (no resolv.conf, host name or NTP changes: the namespace shares the host's files),
// and only does IPv4. Its run and lease directories are perouter's own, bind-mounted on
// dhcpcd's compiled-in /run/dhcpcd and /var/lib/dhcpcd, so it never meets the host's dhcpcd or
// another router's.
//
// Under systemd it runs as perouter-dhcp@<netns>.service (units/): perouterd's own sandbox has
// no AF_INET or AF_PACKET sockets, and a child would inherit that. The unit reads its arguments
// from the environment file perouterd writes here, so they have one owner: client.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/systemd_unit.hpp"

namespace perouter::dhcp {

struct ClientPaths {
    std::string netns;
    std::string root;  // "" = the real system; the lab's directory otherwise

    /// Mounted on /run/dhcpcd for the client: pid file, control sockets; the environment file.
    std::string rundir() const { return root + "/run/perouter/dhcp/" + netns; }
    /// Mounted on /var/lib/dhcpcd: the lease, kept across restarts and boots.
    std::string leasedir() const { return root + "/var/lib/perouter/dhcp/" + netns; }
    std::string env_file() const { return rundir() + "/client.env"; }
    /// dhcpcd's pid file for an IPv4-only client of `link`, as the host sees it.
    std::string pid_file(const std::string& link) const { return rundir() + "/" + link + "-4.pid"; }
    /// Where a directly launched client logs (under systemd: the journal).
    std::string log_file() const { return rundir() + "/dhcpcd.log"; }
};

/// dhcpcd's arguments for a client of `link` (after --nobackground or --background).
std::vector<std::string> client_args(const std::string& link);

/// The environment file of perouter-dhcp@<netns>.service: the link and client_args().
std::string environment_file(const std::string& link);

class Client {
  public:
    Client(ClientPaths paths, Launcher launcher);

    enum class State {
        Stopped,         // no client
        Running,         // a client of link() runs in the router namespace (or its unit starts)
        WrongNamespace,  // a client runs in a namespace that is no longer the router's
    };
    State state() const;
    /// The link the client serves (from the environment file); empty when none was started.
    std::string link() const;
    /// A client of `link` runs in the router namespace.
    bool serves(const std::string& link) const {
        return state() == State::Running && this->link() == link;
    }

    /// Starts a client of `link`. The lease comes later: the address appears on the link when
    /// dhcpcd has it (a link event). Never blocks on the DHCP exchange.
    Status start(const std::string& link);
    /// Stops the client; the leased address stays on the link (--persistent).
    Status stop();
    /// Removes the run directory (after stop()); the lease stays for the next start.
    Status remove_files();

    /// The pid file of the client started last (of link()); empty when none was started.
    std::string pid_file() const;

    /// perouter-dhcp@<netns>.service.
    std::string unit() const;

  private:
    Status start_direct(const std::string& link);

    ClientPaths paths_;
    Launcher launcher_;
};

}  // namespace perouter::dhcp
