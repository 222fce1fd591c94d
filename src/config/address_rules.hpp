// Which addresses and pools make sense where: the special ranges (loopback, multicast, ...)
// in one table, and IPv4-mapped IPv6 addresses compared as the IPv4 address they carry.
#pragma once

#include <optional>
#include <string>

#include "common/ip.hpp"

namespace perouter::config {

/// `::ffff:a.b.c.d` as `a.b.c.d`; every other address unchanged. Compare neighbours after this.
IpAddress unmapped(const IpAddress& a);

/// Why `a` cannot be a BGP neighbour ("is a multicast address"), or nullopt. Checked after
/// unmapped(): unspecified, "this network" (0.0.0.0/8), loopback, multicast, the broadcast
/// address, and IPv6 link-local (a neighbour has no interface to scope it to).
std::optional<std::string> neighbor_address_problem(const IpAddress& a);

/// Why `p` cannot be a pool of node addresses (host sessions, VTEPs, router ids): it overlaps
/// a special range ("overlaps the loopback range 127.0.0.0/8"), or nullopt. A prefix short
/// enough to hold a special range (0.0.0.0/0, ::/0, 0.0.0.0/1, ...) overlaps it too.
std::optional<std::string> pool_problem(const IpPrefix& p);

/// Why `p` cannot be a static address of the macvlan underlay ("is a loopback address"), or
/// nullopt: what neighbor_address_problem() refuses, IPv6 link-local (the kernel gives the link
/// one by itself), and the network address of the prefix. Also what `perouterctl import` checks
/// in upstream's CNI configuration.
std::optional<std::string> macvlan_address_problem(const IpPrefix& p);

/// Why `m` cannot be the MAC address of a link perouter creates ("is a multicast address"), or
/// nullopt.
std::optional<std::string> unicast_mac_problem(const MacAddress& m);

}  // namespace perouter::config
