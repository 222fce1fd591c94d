// The smallest vtysh script that turns one rendered configuration into another.
//
// Why not frr-reload.py: it needs one vtysh process per removed line (77 s to remove 1000 VNIs
// on this machine kind, reference/frr-netns.md) and it compares against `show running-config`,
// which FRR normalises. We diff our own rendered texts instead (the previous one is the
// frr.conf on disk, which is also what FRR loads when a daemon restarts), so adding or removing
// one VPN emits only that VPN's stanzas and `vtysh -f` applies it in one process.
#pragma once

#include <string>
#include <string_view>

namespace perouter::frr {

/// A vtysh script (for `vtysh -f`) that transforms configuration `from` into `to`.
/// Both must be texts produced by render(). Empty when nothing changes.
/// Lines that only change a value are re-set without a preceding `no`, so sessions whose
/// configuration did not change are not touched.
std::string delta(std::string_view from, std::string_view to);

/// Whether a script's lines may depend on links perouter creates for the same change: a line
/// that configures a BGP neighbor (a host session's peer is reached over its veth; configured
/// before the veth has its address, FRR 8.4 can leave it in "Waiting for NHT" for minutes) or
/// a VRF (`vrf V`, `router bgp N vrf V`). A script without such lines (an L2VNI's route
/// targets) may be sent while the links are created (daemon/router.cpp).
bool waits_for_links(std::string_view script);

}  // namespace perouter::frr
