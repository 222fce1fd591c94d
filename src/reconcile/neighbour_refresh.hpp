// Silent workloads stay reachable: the pure half of the neighbour refresh. Zebra advertises a
// workload behind an L2VNI as EVPN type-2 routes from two kernel tables of br-pe-<vni>: the
// bridge's FDB entry for its MAC (learned from the frames it sends; the bridge deletes it after
// its ageing time, 300 s by default, and zebra then withdraws the MAC and MAC/IP routes) and
// the bridge's neighbour entry for its address. A workload that sends nothing loses both.
//
// perouterd asks the kernel to probe such a neighbour (a unicast ARP request or neighbour
// solicitation from the bridge); the workload's answer refreshes the FDB entry and makes the
// neighbour REACHABLE again, or, when the workload is gone, the neighbour fails and its routes
// are withdrawn. This file decides, from one reading of the bridge's tables, which neighbours
// to probe now and when to look again; daemon/neighbour_refresher.hpp reads, probes and waits.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "config/model.hpp"
#include "reconcile/forwarding.hpp"

namespace perouter::reconcile {

using Millis = std::chrono::milliseconds;

/// The Linux bridge's default FDB ageing time.
inline constexpr Millis kDefaultAgeingTime{300'000};
/// No bridge is looked at, and no neighbour probed again, more often than this.
inline constexpr Millis kMinRefreshInterval{1'000};
/// A neighbour that went stale is probed again at most this often, however long the ageing time.
inline constexpr Millis kMaxReprobeInterval{30'000};

/// An IPv4 or IPv6 neighbour entry of the bridge.
struct BridgeNeighbour {
    IpAddress ip;
    std::optional<MacAddress> lladdr;
    NeighbourState state = NeighbourState::None;
    /// Not the kernel's to verify: learned externally (NTF_EXT_LEARNED, zebra's entries for
    /// remote hosts) or kernel-managed (NTF_EXT_MANAGED). Never probed.
    bool external = false;
    friend bool operator==(const BridgeNeighbour&, const BridgeNeighbour&) = default;
};

enum class FdbOrigin {
    Learned,   // from a frame on a port: ages out
    External,  // extern_learn: a MAC behind a remote VTEP, installed by zebra
    Static,    // permanent or static: never ages
};

/// An entry of the bridge's own FDB (the bridge's, not a port's "self" entries).
struct BridgeFdbEntry {
    MacAddress lladdr;
    FdbOrigin origin = FdbOrigin::Learned;
    Millis age{0};  // since the bridge last saw a frame from lladdr
    friend bool operator==(const BridgeFdbEntry&, const BridgeFdbEntry&) = default;
};

/// One reading of a bridge: its FDB ageing time, neighbours and FDB entries.
struct BridgeTables {
    Millis ageing_time = kDefaultAgeingTime;
    std::vector<BridgeNeighbour> neighbours;
    std::vector<BridgeFdbEntry> fdb;
};

/// How the refresh follows a bridge's ageing time.
struct RefreshTiming {
    /// A learned FDB entry this old gets its neighbour probed: half the ageing time, so a
    /// probe that goes unanswered once still leaves time for the next. Absent when the bridge
    /// does not age its entries (ageing time 0 keeps no learned entry at all).
    std::optional<Millis> refresh_after;
    /// A neighbour probed less than this long ago is not probed again yet: refresh_after,
    /// between kMinRefreshInterval and kMaxReprobeInterval.
    Millis reprobe_after{kMaxReprobeInterval};
};

RefreshTiming refresh_timing(Millis ageing_time);

enum class ProbeReason {
    Stale,       // the neighbour went stale (the kernel verifies it only when used)
    FdbAgeing,   // its FDB entry reached refresh_after
    FdbMissing,  // its FDB entry is gone (aged out or flushed)
};

std::string_view to_string(ProbeReason r);

struct NeighbourProbe {
    IpAddress ip;
    ProbeReason reason = ProbeReason::Stale;
    friend bool operator==(const NeighbourProbe&, const NeighbourProbe&) = default;
};

struct RefreshDecision {
    std::vector<NeighbourProbe> probes;  // to probe now
    /// When to read the bridge again if no neighbour event comes first; nullopt: only an event
    /// can make a probe due (nothing ages towards one). Never below kMinRefreshInterval.
    std::optional<Millis> next_check;
};

/// Which neighbours of a bridge to probe now, and when to look again. A neighbour is a
/// candidate when it has a MAC, a global (not link-local) address, is not external, is
/// REACHABLE or STALE (DELAY and PROBE are being verified by the kernel already; the other
/// states have nothing to refresh) and its MAC is not behind a remote VTEP. It is due when it
/// is STALE, or its learned FDB entry is at least refresh_after old, or it has none (both only
/// when the bridge ages its entries); a due neighbour that `since_probe` says was probed less
/// than reprobe_after ago waits for that.
RefreshDecision decide_refresh(const BridgeTables& tables,
                               const std::map<IpAddress, Millis>& since_probe);

/// The bridges whose neighbours perouterd keeps fresh: br-pe-<vni> of every L2VNI with gateway
/// addresses (the bridge has an address of its own in the workloads' subnet to probe from, and
/// zebra advertises its neighbours as MAC/IP routes).
std::vector<std::string> refreshed_bridges(const config::Config& cfg);

}  // namespace perouter::reconcile
