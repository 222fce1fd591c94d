// Silent workloads stay reachable: keeps the neighbour and FDB entries of the workloads behind
// the L2VNI bridges that have gateway addresses fresh, so that zebra does not withdraw the EVPN
// type-2 routes of a workload that sends nothing (reconcile/neighbour_refresh.hpp says why, and
// decides whom to probe and when; netlink/neighbour_watch.hpp reads and probes).
//
// Driven by events, on the service's sd-event loop: a neighbour, FDB or link notification about
// a watched bridge has it read shortly after (a burst becomes one reading), which probes the
// neighbours that went stale. The only timer is one per bridge, set from what the reading found:
// the moment the oldest learned FDB entry of a workload reaches half the bridge's ageing time.
// A bridge with no such entry is not looked at until a notification comes.
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "netlink/namespaces.hpp"
#include "netlink/neighbour_watch.hpp"
#include "reconcile/neighbour_refresh.hpp"

namespace perouter::daemon {

class NeighbourRefresher {
  public:
    /// Works in the router namespace of `ns`, which must outlive it, on `event`'s loop.
    NeighbourRefresher(sd_event* event, const netlink::Namespaces& ns);
    ~NeighbourRefresher();
    NeighbourRefresher(const NeighbourRefresher&) = delete;
    NeighbourRefresher& operator=(const NeighbourRefresher&) = delete;

    /// The bridges to keep fresh from now on (reconcile::refreshed_bridges()). Opens the
    /// notification socket in the router namespace when there are any (again when that
    /// namespace was replaced) and closes it when there are none; a bridge new to the list is
    /// read at once. Called after every apply.
    void watch(const std::vector<std::string>& bridges);

  private:
    struct Bridge {
        NeighbourRefresher* owner = nullptr;
        std::string name;
        int ifindex = 0;  // as last read; 0 before
        sd_event_source* timer = nullptr;
        std::map<IpAddress, uint64_t> probed;          // CLOCK_MONOTONIC usec of our last probe
        std::optional<reconcile::Millis> ageing_time;  // as last read
        std::string error;                             // the last failure logged, "" since
    };

    bool open_events();
    void close_events();
    void check(Bridge& b);
    void schedule(Bridge& b, uint64_t usec);
    /// Reads `b` within the settle time: now a pending reading is due later.
    void schedule_soon(Bridge& b);
    void report(Bridge& b, const std::string& error);

    static int on_timer(sd_event_source* s, uint64_t usec, void* bridge);
    static int on_events(sd_event_source* s, int fd, uint32_t revents, void* self);

    sd_event* event_;
    const netlink::Namespaces& ns_;
    std::unique_ptr<netlink::NeighbourWatch> watch_;
    sd_event_source* io_ = nullptr;
    std::map<std::string, std::unique_ptr<Bridge>> bridges_;
};

}  // namespace perouter::daemon
