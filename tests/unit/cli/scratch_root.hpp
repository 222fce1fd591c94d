// perouterctl's local commands run against a scratch --root: the shared scratch tree.
#pragma once

#include "support/scratch_dir.hpp"

namespace perouter::cli::test {

/// A minimal valid main file.
inline const char* kMain = perouter::test::kMinimalConfig;

class ScratchRoot : public perouter::test::ScratchDir {
  public:
    ScratchRoot() : ScratchDir("perouterctl-test") {}
};

}  // namespace perouter::cli::test
