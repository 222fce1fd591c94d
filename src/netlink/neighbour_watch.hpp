// What the silent-workload refresh (daemon/neighbour_refresher.hpp) needs from the router
// namespace: neighbour, FDB and link notifications; one reading of a bridge's tables (its FDB
// ageing time, its neighbours, its FDB entries with their ages); and a neighbour probe. The
// decision between reading and probing is reconcile/neighbour_refresh.hpp's.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "netlink/namespaces.hpp"
#include "reconcile/neighbour_refresh.hpp"

namespace perouter::netlink {

/// What a batch of notifications was about.
struct NeighbourEvents {
    /// Devices of neighbour entries, bridges of FDB entries (their NDA_MASTER), changed links.
    std::set<int> ifindexes;
    /// Names of links that appeared, changed or left.
    std::set<std::string> links;
    /// Notifications were lost (ENOBUFS): anything may have changed.
    bool overrun = false;
};

/// One reading of a bridge.
struct BridgeReading {
    int ifindex = 0;
    reconcile::BridgeTables tables;
};

class NeighbourWatch {
  public:
    /// Subscribes to neighbour and link notifications in the router namespace, which must
    /// exist; requests go over a second socket there.
    static Result<std::unique_ptr<NeighbourWatch>> open(const Namespaces& ns);

    /// The notification socket (non-blocking), to poll for input.
    int fd() const;
    /// Reads every pending notification.
    NeighbourEvents drain();
    /// True while the router namespace it works in is still the one at /run/netns/<name>.
    bool watches_router(const Namespaces& ns) const;

    /// Bridge `name`: its ifindex and FDB ageing time (RTM_GETLINK), its IPv4 and IPv6
    /// neighbours and its own FDB entries (not its ports' "self" entries).
    Result<BridgeReading> read_bridge(const std::string& name);

    /// Asks the kernel to verify neighbour `ip` on device `ifindex` now: the entry goes to
    /// NUD_PROBE with the MAC it has, and the kernel sends unicast ARP requests (IPv6:
    /// neighbour solicitations) to that MAC until the neighbour answers (REACHABLE) or the
    /// probes run out (FAILED). Never creates an entry (ENOENT when there is none).
    ///
    /// Like any administrative neighbour change it sets the entry's NTF_EXT_LEARNED and
    /// NTF_EXT_MANAGED flags to those of the request (none): only probe entries that a reading
    /// just showed without them.
    Status probe(int ifindex, const IpAddress& ip);

  private:
    NeighbourWatch() = default;
    SocketPtr events_;
    SocketPtr requests_;
    bool strict_ = false;  // NETLINK_GET_STRICT_CHK: dumps filtered by the kernel
    dev_t router_dev_ = 0;
    ino_t router_ino_ = 0;
};

}  // namespace perouter::netlink
