// The config tests' scratch tree: the shared one, named for its prefix.
#pragma once

#include "support/scratch_dir.hpp"

namespace perouter::config::test {

class TempRoot : public perouter::test::ScratchDir {
  public:
    TempRoot() : ScratchDir("perouter-config") {}
};

}  // namespace perouter::config::test
