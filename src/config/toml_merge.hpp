// Merging parsed TOML documents in file order (the rules are in perouter.toml(5); src/README.md).
// Nodes are moved, never copied, because toml++ drops source regions on copy and every value must
// still know the file, line and column that wrote it.
#pragma once

#include <toml++/toml.h>

namespace perouter::config {

/// Merges `src` into `dst`, consuming `src`:
/// - tables merge key by key, recursively;
/// - any other value (scalar, plain array, array of tables) replaces the earlier one whole;
/// - the top-level `l3vni`, `l2vni`, `l3vpn` and `raw_frr` arrays are keyed by `name`: an entry
///   replaces the earlier entry of that name, other entries are appended in order. Two entries of
///   the same name inside one document are both kept so validation can report the duplicate.
/// Returns whether an entry of `src` replaced an earlier one (config/reassemble.cpp builds on
/// configurations where none did).
bool merge_into(toml::table& dst, toml::table&& src);

}  // namespace perouter::config
