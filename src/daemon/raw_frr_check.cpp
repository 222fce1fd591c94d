#include "daemon/raw_frr_check.hpp"

#include "frr/syntax_check.hpp"

namespace perouter::daemon {

config::RawFrrCheck RawFrrChecker::callback() {
    return [this](const std::string& text) { return check(text); };
}

std::optional<std::string> RawFrrChecker::check(const std::string& text) {
    if (auto it = seen_.find(text); it != seen_.end())
        return it->second;
    Status st = frr::syntax_check(text);
    std::optional<std::string> verdict;
    if (!st)
        verdict = st.error().message;
    if (seen_.size() >= kRemembered)
        seen_.clear();
    seen_.emplace(text, verdict);
    return verdict;
}

}  // namespace perouter::daemon
