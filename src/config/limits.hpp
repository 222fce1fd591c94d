// The limits every configuration input obeys, wherever it comes from (a file, a drop-in, a
// D-Bus Validate/AddVpn argument). One owner for each number: the TOML pre-scan
// (src/config/limits.cpp), the loader and the D-Bus layer all read them from here.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/source_pos.hpp"

namespace perouter::config {

/// Largest text of one configuration file or one D-Bus document. 1000 L3VNIs and 2000 L2VNIs
/// written out in full take well under 1 MiB; 4 MiB leaves room for comments.
inline constexpr size_t kMaxTextBytes = 4u << 20;
/// Deepest nesting of tables, dotted keys, arrays and inline tables in one TOML text. The
/// schema's deepest value is four levels down ([[l3vni]] host_session.local_cidr.ipv4); 32
/// keeps the parser's recursion far from the stack's end.
inline constexpr size_t kMaxNestingDepth = 32;
/// Most [[l3vni]] + [[l2vni]] entries in one merged configuration.
inline constexpr size_t kMaxVpns = 16384;
/// [[raw_frr]] blocks, and the size of one block's text.
inline constexpr size_t kMaxRawFrrBlocks = 64;
inline constexpr size_t kMaxRawFrrBytes = 64u << 10;
/// Most configuration files (main + drop-ins) one load reads.
inline constexpr size_t kMaxFiles = 4096;
/// Most diagnostics one load reports; the rest are counted in one final line.
inline constexpr size_t kMaxDiagnostics = 100;

/// Checks one TOML text against kMaxTextBytes and kMaxNestingDepth before toml++ parses it
/// (toml++ recurses once per level and would overflow the stack on a deep enough text).
/// The depth of a value is the number of keys on its path (table header segments, dotted-key
/// segments, keys inside inline tables) plus the arrays it sits in. Returns the first limit
/// crossed, positioned at the byte that crosses it (1-based line and column, columns counted
/// in code points as toml++ counts them), or nullopt. Strings and comments are skipped; any
/// other syntax error is left to toml++. Linear in the text and safe on any bytes.
std::optional<Diagnostic> check_text_limits(std::string_view text, std::string_view path);

/// Keeps the first kMaxDiagnostics and replaces the rest by one line, at the position of the
/// first one dropped, that counts them.
void cap_diagnostics(Diagnostics& diags);

}  // namespace perouter::config
