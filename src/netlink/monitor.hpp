// Link notifications (RTM_NEWLINK/RTM_DELLINK) from both namespaces, so the daemon notices
// when someone else deletes or changes a link it owns, or when an underlay NIC appears.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "netlink/namespaces.hpp"
#include "reconcile/forwarding.hpp"

namespace perouter::netlink {

class LinkMonitor {
  public:
    /// Subscribes to link events in the host namespace and, when it exists, the router one.
    static Result<std::unique_ptr<LinkMonitor>> open(const Namespaces& ns);

    /// Non-blocking sockets to poll for input.
    std::vector<int> fds() const;
    /// Reads every pending message from `fd`; returns the names of the links they were about.
    /// An overrun (ENOBUFS: too many events at once) is reported as the name "*".
    std::vector<std::string> drain(int fd);
    /// True while the router namespace it listens in is still the one at /run/netns/<name>.
    bool watches_router(const Namespaces& ns) const;

  private:
    LinkMonitor() = default;
    std::vector<SocketPtr> socks_;
    dev_t router_dev_ = 0;
    ino_t router_ino_ = 0;
};

/// Route notifications (IPv4 and IPv6) in the router namespace, and neighbour/FDB ones when
/// asked: what the kernel forwards with changed. A BGP session that goes down withdraws the
/// routes it brought, so the daemon asks FRR for the sessions' states after such a change
/// instead of on a timer.
class ForwardingMonitor {
  public:
    /// Nothing (and no error) when the router namespace does not exist.
    static Result<std::unique_ptr<ForwardingMonitor>> open(const Namespaces& ns, bool neighbours);

    /// The non-blocking socket to poll for input; -1 when there is none.
    int fd() const;
    /// What the pending messages were about.
    struct Changes {
        bool routes = false;      ///< a route came or went (or events were lost)
        bool neighbours = false;  ///< a neighbour entry became usable or unusable, or a bridge
                                  ///< FDB entry towards a remote VTEP changed
        bool any() const { return routes || neighbours; }
    };
    /// Reads every pending message.
    Changes drain();
    bool neighbours() const { return neighbours_; }

  private:
    ForwardingMonitor() = default;
    void read_neighbour(nlmsghdr* hdr, Changes& out);
    SocketPtr sock_;
    bool neighbours_ = false;
    reconcile::NeighbourUsability usability_;
};

}  // namespace perouter::netlink
