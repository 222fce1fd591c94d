// How much text crosses the bus in one call, both ways. Arguments that carry configuration
// text are refused above config::kMaxTextBytes (src/config/limits.hpp owns that number);
// what the server sends back (diagnostics, error messages, error properties) is made valid
// UTF-8 and cut to a bounded size here, whatever the Controller hands over, so no reply can
// outgrow what the bus accepts or what a client wants to print.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/source_pos.hpp"

namespace perouter::dbus {

/// Longest line (one diagnostic, one line of an error message) the server sends back.
inline constexpr size_t kMaxReplyLineBytes = 4096;

/// Why a string argument named `name` of `bytes` bytes is refused (InvalidArgs), or nullopt.
std::optional<std::string> oversized_argument(std::string_view name, size_t bytes);

/// `text` as valid UTF-8 (each invalid byte becomes U+FFFD) of at most kMaxReplyLineBytes
/// bytes; a cut text ends in "..." and says how many bytes were left out.
std::string bounded_line(std::string_view text);

/// One bounded line per diagnostic, at most config::kMaxDiagnostics + 1 of them (the config
/// layer's own cap adds one summary line); beyond that one line says how many were left out.
std::vector<std::string> bounded_diagnostics(const Diagnostics& diagnostics);

/// A multi-line message (an error's text, a LastError property) with each line bounded and at
/// most config::kMaxDiagnostics + 2 lines (a headline, the diagnostics, their summary).
std::string bounded_message(std::string_view text);

}  // namespace perouter::dbus
