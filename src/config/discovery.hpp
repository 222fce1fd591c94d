// discover() with its failure as a Diagnostic naming the directory, for load(). Internal.
#pragma once

#include "common/source_pos.hpp"
#include "config/load.hpp"

namespace perouter::config {

Result<std::vector<DiscoveredFile>, Diagnostic> discover_files(const Layout& layout);

}  // namespace perouter::config
