// A frr.conf text as a tree of contexts, so that two configurations can be compared block by
// block. The contexts recognised are those render() produces and those a [[raw_frr]] block is
// likely to hold (see context_rules in config_tree.cpp): top-level `vrf`, `bfd`, `route-map`,
// `router`, `interface` and `key chain`; `address-family` under `router`, `vni` under
// `address-family l2vpn evpn`, `profile`/`peer` under `bfd`, `key` under `key chain`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace perouter::frr {

/// A context opened by `header` and closed by exit_keyword(header).
struct ConfigBlock {
    std::string header;
    std::vector<std::string> lines;     // in file order, without indentation
    std::vector<ConfigBlock> children;  // sub-contexts, in file order
};

struct ConfigTree {
    std::vector<std::string> globals;  // top-level lines outside any context
    std::vector<ConfigBlock> blocks;   // top-level contexts, in file order
};

/// Parses a configuration text. Blank lines, `!` separators and `end` are dropped. Nesting comes
/// from the context keywords and their exits; a line that is not indented closes every open
/// context (FRR's own `show running-config` indents every body line, and vtysh leaves contexts
/// the same way). A context opened twice at the same level (a raw `router bgp` block next to
/// the rendered one) is one block: FRR enters the same context both times.
ConfigTree parse_config(std::string_view text);

/// The keyword that leaves the context opened by `header`: `exit-vrf`, `exit-address-family`,
/// `exit-vni` or `exit`.
std::string_view exit_keyword(std::string_view header);

}  // namespace perouter::frr
