#include "common/source_pos.hpp"

namespace perouter {

SourceFile::~SourceFile() = default;

}  // namespace perouter
