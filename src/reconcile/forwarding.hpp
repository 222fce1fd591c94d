// What the kernel forwards with in one VRF of the router namespace, as plain values: the routes
// of its table, the neighbour entries and the bridge FDB entries of its VXLAN device. Filled by
// netlink::observe_forwarding() (src/netlink/forwarding.cpp), judged by reconcile/online.hpp,
// hand-made in tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"

namespace perouter::reconcile {

/// rtnetlink protocols a route can carry that matter here (linux/rtnetlink.h, rt_protos).
inline constexpr uint8_t kProtoZebra = 11;
inline constexpr uint8_t kProtoBgp = 186;

enum class RouteKind { Unicast, Unreachable, Blackhole, Prohibit, Other };

struct NextHop {
    std::optional<IpAddress> gateway;
    std::string dev;  // "" when the kernel names none
    bool onlink = false;
    // An SRv6 H.Encaps route's SID: `gateway` is then the underlay's next hop towards it.
    std::optional<IpAddress> srv6_sid;
    friend bool operator==(const NextHop&, const NextHop&) = default;
};

struct FibRoute {
    IpPrefix dst;
    RouteKind kind = RouteKind::Unicast;
    uint8_t protocol = 0;
    uint32_t metric = 0;
    std::vector<NextHop> nexthops;
    friend bool operator==(const FibRoute&, const FibRoute&) = default;
};

/// The kernel's NUD states, one at a time (the kernel reports exactly one).
enum class NeighbourState {
    None,
    Incomplete,
    Reachable,
    Stale,
    Delay,
    Probe,
    Failed,
    Noarp,
    Permanent
};

std::string_view to_string(NeighbourState s);
std::string_view to_string(RouteKind k);
/// The states in which the kernel sends packets to the entry's lladdr.
bool usable(NeighbourState s);

/// Which neighbour notifications can change the online verdict (reconcile/online.hpp): an entry
/// that becomes usable or stops being usable. The kernel also reports every move between the
/// usable states (REACHABLE -> STALE -> DELAY -> REACHABLE, driven by its own timers as long as
/// there is traffic); those change nothing here and wake nothing beyond the read of the event.
class NeighbourUsability {
  public:
    /// One notification about the entry `dst` (the address's bytes) on `ifindex`; true when it
    /// can change the verdict. An entry seen for the first time counts as a change.
    bool changes(int ifindex, std::string_view dst, NeighbourState state, bool deleted);

  private:
    std::map<std::pair<int, std::string>, bool> usable_;  // known entries: usable or not
};

struct Neighbour {
    IpAddress ip;
    std::optional<MacAddress> lladdr;
    NeighbourState state = NeighbourState::None;
    std::string dev;
    friend bool operator==(const Neighbour&, const Neighbour&) = default;
};

/// A bridge FDB entry of a VXLAN device: frames to `lladdr` go to the remote VTEP `dst`.
struct FdbEntry {
    MacAddress lladdr;
    std::optional<IpAddress> dst;
    std::string dev;
    friend bool operator==(const FdbEntry&, const FdbEntry&) = default;
};

/// One VRF: its table's routes, the neighbours of the router namespace (every device; the
/// verdict matches them by device) and the FDB entries of `vxlan`.
struct VrfForwarding {
    std::string vrf;
    uint32_t table = 0;
    std::string vxlan;
    std::vector<FibRoute> routes;
    std::vector<Neighbour> neighbours;
    std::vector<FdbEntry> fdb;
};

struct ForwardingView {
    std::vector<VrfForwarding> vrfs;
    const VrfForwarding* find(std::string_view vrf) const {
        for (const auto& v : vrfs)
            if (v.vrf == vrf)
                return &v;
        return nullptr;
    }
};

}  // namespace perouter::reconcile
