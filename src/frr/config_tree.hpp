// A rendered frr.conf as a tree of contexts, so that two renderings can be compared block by
// block. Only the shapes render() produces are recognised: top-level lines, top-level contexts
// (`vrf`, `bfd`, `route-map`, `router`) and their sub-contexts (`address-family`, `profile`).
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

/// Parses rendered text. Blank lines, `!` separators and `end` are dropped; indentation is
/// ignored (nesting comes from the context keywords), so the tree does not depend on layout.
ConfigTree parse_config(std::string_view text);

/// The keyword that leaves the context opened by `header`: `exit-vrf`, `exit-address-family`
/// or `exit`.
std::string_view exit_keyword(std::string_view header);

}  // namespace perouter::frr
