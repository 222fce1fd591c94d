// The merged configuration as JSON, with the TOML keys (perouterctl show-config, D-Bus
// Describe). Values a file left out appear with their defaults, so the output is the model
// perouterd actually uses.
#pragma once

#include <nlohmann/json.hpp>

#include "config/model.hpp"

namespace perouter::config {

nlohmann::json to_json(const Config& cfg);

}  // namespace perouter::config
