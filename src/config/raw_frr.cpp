#include <fmt/format.h>

#include <algorithm>

#include "config/convert.hpp"
#include "config/limits.hpp"
#include "config/toml_reader.hpp"
#include "config/vpn_common.hpp"

namespace perouter::config {

namespace {

/// What must not be in a block: control characters other than tab and newline (a NUL or a
/// carriage return would not survive frr.conf), and the commands that leave configuration mode
/// or write files (`end`, `write`, `copy`), which would cut the rest of frr.conf off or touch
/// FRR's own files.
std::optional<std::string> raw_text_problem(std::string_view text) {
    if (std::any_of(text.begin(), text.end(), [](unsigned char c) {
            return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
        })) {
        return "must not contain control characters other than tab and newline";
    }
    size_t line_no = 0;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t eol = std::min(text.find('\n', start), text.size());
        ++line_no;
        std::string_view line = text.substr(start, eol - start);
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string_view::npos) {
            line.remove_prefix(first);
            const auto word = line.substr(0, line.find_first_of(" \t"));
            if (word == "end" || word == "write" || word == "copy")
                return fmt::format("line {} of the block: '{}' is not a configuration command",
                                   line_no, word);
        }
        start = eol + 1;
    }
    return std::nullopt;
}

}  // namespace

RawFrr convert_raw_frr(const toml::table& t, Diagnostics& diags) {
    RawFrr raw;
    TableReader r(t, keys::kRawFrr, raw.pos, diags);
    // Named like a VPN: the name keys the merge of files (a drop-in replaces a block by name).
    if (auto name = read_vpn_name(r))
        raw.name = *name;
    if (auto prio = r.number<uint32_t>("priority", 0, 2147483647))
        raw.priority = *prio;
    auto text = r.string("config");
    if (!text) {
        if (!r.has("config"))
            r.missing("config");
        return raw;
    }
    if (text->find_first_not_of(" \t\n") == std::string::npos) {
        r.error("config", "'config' must not be empty");
    } else if (text->size() > kMaxRawFrrBytes) {
        r.error("config",
                fmt::format("'config' has {} bytes (at most {})", text->size(), kMaxRawFrrBytes));
    } else if (auto problem = raw_text_problem(*text)) {
        r.error("config", fmt::format("'config' {}", *problem));
    } else {
        raw.config = std::move(*text);
    }
    return raw;
}

}  // namespace perouter::config
