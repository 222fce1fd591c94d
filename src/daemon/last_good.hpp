// The main file of the last configuration that applied without errors, kept so that a node
// whose main file turns bad (a failed edit, a broken image update) still boots onto its network:
// its text then stands in for the main file, with the drop-ins as they are on disk (a failing
// drop-in is left out by itself, src/config/assemble.cpp). Saved atomically with mode 0600 (it
// may hold BGP passwords) after each good apply, read only at start (src/daemon/service.cpp).
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/load.hpp"

namespace perouter::daemon {

class LastGood {
  public:
    /// `path` is the file, e.g. <root>/var/lib/perouter/last-good.json.
    explicit LastGood(std::string path) : path_(std::move(path)) {}

    /// Writes the texts (skipped when they are what was saved last by this process).
    Status save(const std::vector<config::ConfigText>& texts);
    /// The texts saved last, with their original paths.
    Result<std::vector<config::ConfigText>> load() const;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    std::string saved_;  // the document written last, to skip identical writes
};

}  // namespace perouter::daemon
