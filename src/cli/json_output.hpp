// --json[=pretty|short] output, as systemd's tools spell it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace perouter::cli {

/// `j` as one line ("short") or indented ("pretty", the default), with a final newline.
std::string dump_json(const nlohmann::json& j, std::string_view mode);

}  // namespace perouter::cli
