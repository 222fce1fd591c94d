// What fuzz_config and fuzz_dropin run on a configuration that parsed: the planner, the FRR
// renderer and the FRR delta, with the invariants the daemon relies on checked on the way.
#pragma once

#include <string>
#include <string_view>

#include "config/model.hpp"

namespace perouter::fuzz {

/// Plans `cfg` (src/plan/planner.hpp), renders its FRR model (src/frr/render.hpp) and diffs
/// the text against an empty configuration, against itself and both ways against `applied`
/// (src/frr/delta.hpp), as a reload from that configuration would. Returns the rendered text
/// ("" when planning failed). Aborts on a broken invariant, so libFuzzer records the input.
std::string plan_and_render(const config::Config& cfg, std::string_view applied = {});

}  // namespace perouter::fuzz
