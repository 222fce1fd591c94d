// Writing the gathered Pieces as one TOML text: a header naming the input files and what was
// left out, then [node], [underlay], [[l3vni]], [[l2vni]], [passthrough], [[raw_frr]], each
// after a comment naming the upstream object it came from. Values are formatted by toml++;
// keys come in a fixed order (name first), so the same input always gives the same text.
#pragma once

#include <string>
#include <vector>

#include "common/source_pos.hpp"
#include "importer/pieces.hpp"

namespace perouter::importer {

std::string emit_toml(const Pieces& pieces, const std::vector<std::string>& files,
                      const Diagnostics& notes);

}  // namespace perouter::importer
