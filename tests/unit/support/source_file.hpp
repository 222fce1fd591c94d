// A file of the source tree as text, for tests that check shipped files (man pages, completion,
// bus policy). PEROUTER_SOURCE_DIR is set by the test target.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace perouter::test {

inline std::string source_file(const std::string& rel) {
    std::ifstream f(std::string(PEROUTER_SOURCE_DIR) + "/" + rel);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace perouter::test
