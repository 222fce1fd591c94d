// frr.conf text from the FRR model. Pure and deterministic: the same model always renders the
// same bytes, so the text can be golden-tested and diffed against what was applied last.
#pragma once

#include <string>

#include "frr/model.hpp"

namespace perouter::frr {

/// The whole integrated configuration (starts with `frr defaults traditional`).
std::string render(const Model& model);

}  // namespace perouter::frr
