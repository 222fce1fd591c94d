// The pure comparison of desired and observed state. No I/O: the same inputs always give the
// same actions, which is what `perouterctl diff` shows and what the unit tests pin down.
#pragma once

#include <string>
#include <vector>

#include "plan/desired.hpp"
#include "reconcile/action.hpp"
#include "reconcile/observed.hpp"

namespace perouter::reconcile {

struct DiffResult {
    std::vector<Action> actions;        ///< sorted by phase; within a phase, in execution order
    std::vector<std::string> problems;  ///< reported by the daemon; they do not stop a reconcile

    bool empty() const { return actions.empty(); }
};

/// Actions that make `observed` match `desired`, touching only what we own (observed.hpp).
/// Executing all actions of the result, in order, converges: a diff against a fresh
/// observation afterwards is empty. A default-constructed DesiredState yields the full teardown.
DiffResult diff(const plan::DesiredState& desired, const Observed& observed);

}  // namespace perouter::reconcile
