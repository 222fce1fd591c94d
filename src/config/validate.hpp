// Rules that look across objects of a converted Config (uniqueness, references, overlaps,
// per-node address derivation). Per-object rules run during conversion (convert.hpp).
#pragma once

#include "common/source_pos.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// Appends one diagnostic per broken rule. Fields a converter already rejected are left at
/// their defaults, and the rules skip them so that one mistake is reported once.
void validate(const Config& config, Diagnostics& diags);

}  // namespace perouter::config
