// Rules that look across objects of a converted Config (uniqueness, references, overlaps,
// per-node address derivation). Per-object rules run during conversion (convert.hpp).
#pragma once

#include <string>
#include <vector>

#include "common/source_pos.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// Appends one diagnostic per broken rule. Fields a converter already rejected are left at
/// their defaults, and the rules skip them so that one mistake is reported once.
/// `files` is the merge order of the paths the configuration came from. A rule that involves
/// two places (a duplicate, an overlap) reports at the one written later, in that order, and
/// names the other ("(also at FILE:LINE:COL)"), so a drop-in that clashes with an earlier
/// file is the one blamed. Files not listed fall back to the order of the entries.
void validate(const Config& config, Diagnostics& diags, const std::vector<std::string>& files = {});

}  // namespace perouter::config
