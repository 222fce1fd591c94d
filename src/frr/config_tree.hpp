// A frr.conf text as a tree of contexts, so that two configurations can be compared block by
// block. The contexts recognised are those render() produces and those a [[raw_frr]] block is
// likely to hold (see context_rules in config_tree.cpp): top-level `vrf`, `bfd`, `route-map`,
// `router`, `interface`, `key chain` and `segment-routing`; `address-family` and `segment-routing
// srv6` under `router`, `vni` under `address-family l2vpn evpn`, `profile`/`peer` under `bfd`,
// `key` under `key chain`, and zebra's `srv6` / `locators` / `locator` chain under
// `segment-routing`.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace perouter::frr {

/// Positions of blocks by header, looked up by string_view: a configuration with 1000 VNIs has
/// 1000 `vni` contexts under one address family, and a linear search per block made parsing
/// and diffing quadratic.
struct HeaderHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using HeaderIndex = std::unordered_map<std::string, size_t, HeaderHash, std::equal_to<>>;

/// A context opened by `header` and closed by exit_keyword(header).
struct ConfigBlock {
    std::string header;
    std::vector<std::string> lines;     // in file order, without indentation
    std::vector<ConfigBlock> children;  // sub-contexts, in file order
    HeaderIndex child_index;            // header -> position in children

    /// The sub-context with `header`, or nullptr.
    const ConfigBlock* child(std::string_view h) const {
        auto it = child_index.find(h);
        return it == child_index.end() ? nullptr : &children[it->second];
    }
};

struct ConfigTree {
    std::vector<std::string> globals;  // top-level lines outside any context
    std::vector<ConfigBlock> blocks;   // top-level contexts, in file order
    HeaderIndex block_index;           // header -> position in blocks
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
