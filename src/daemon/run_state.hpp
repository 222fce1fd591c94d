// The daemon's state as the Manager's State property, STATUS= and perouterctl show it.
#pragma once

#include <string_view>

namespace perouter::daemon {

enum class RunState { Starting, Running, Degraded, Reloading, Failed, Stopping };

constexpr std::string_view to_string(RunState s) {
    switch (s) {
        case RunState::Starting:
            return "starting";
        case RunState::Running:
            return "running";
        case RunState::Degraded:
            return "degraded";
        case RunState::Reloading:
            return "reloading";
        case RunState::Failed:
            return "failed";
        case RunState::Stopping:
            return "stopping";
    }
    return "unknown";
}

}  // namespace perouter::daemon
