// What fuzz_config and fuzz_dropin run on a configuration that parsed: the planner, the FRR
// renderer and the FRR delta, with the invariants the daemon relies on checked on the way.
#pragma once

#include "config/model.hpp"

namespace perouter::fuzz {

/// Plans `cfg` (src/plan/planner.hpp), renders its FRR model (src/frr/render.hpp) and diffs
/// the text against an empty configuration and against itself (src/frr/delta.hpp). Aborts on
/// a broken invariant, so libFuzzer records the input.
void plan_and_render(const config::Config& cfg);

}  // namespace perouter::fuzz
