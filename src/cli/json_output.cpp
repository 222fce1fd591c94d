#include "cli/json_output.hpp"

namespace perouter::cli {

std::string dump_json(const nlohmann::json& j, std::string_view mode) {
    // Replace malformed UTF-8 instead of throwing: file text and daemon strings are not ours.
    return j.dump(mode == "short" ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
}

}  // namespace perouter::cli
