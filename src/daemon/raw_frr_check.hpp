// The [[raw_frr]] check the daemon hands to config::load (config/load.hpp RawFrrCheck): FRR's
// own parser (frr::syntax_check, `vtysh -C`), remembered per block text so that a reload with
// unchanged blocks runs no vtysh, and the rounds of one load run each block once.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/load.hpp"

namespace perouter::daemon {

class RawFrrChecker {
  public:
    /// The callback for config::load; valid while this object lives.
    config::RawFrrCheck callback();

  private:
    std::optional<std::string> check(const std::string& text);

    static constexpr size_t kRemembered = 256;
    std::map<std::string, std::optional<std::string>> seen_;  // text -> FRR's verdict
};

}  // namespace perouter::daemon
