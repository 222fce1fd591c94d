// `perouterctl cat-config`: every configuration file in merge order, each under a "# PATH"
// header, as `systemd-analyze cat-config` shows unit configuration. Headers also say which
// lower-precedence files a file overrides and which files are masked, so the output explains
// the merged result without a second tool (systemd-delta).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/load.hpp"

namespace perouter::cli {

struct CatFile {
    config::DiscoveredFile file;
    std::string text;  // the file's content (empty when masked or unreadable)
    /// Why it masks: "empty file" or "symlink to /dev/null" (only for masked files).
    std::string mask_reason;
    std::optional<std::string> read_error;
};

/// The human form: for each file "# PATH", one "# overrides PATH" line per hidden file, then
/// its text (masked files show "# masked (REASON)" and no text); files separated by a blank
/// line.
std::string render_cat_config(const std::vector<CatFile>& files);

/// The JSON form: [{name, path, overrides: [...], masked, mask_reason?, text, error?}].
nlohmann::json cat_config_json(const std::vector<CatFile>& files);

}  // namespace perouter::cli
