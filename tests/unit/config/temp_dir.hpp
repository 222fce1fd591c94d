// A scratch directory tree for discovery and load tests, removed at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace perouter::config::test {

class TempRoot {
  public:
    TempRoot() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "perouter-config-XXXXXX").string();
        if (!::mkdtemp(tmpl.data()))
            ADD_FAILURE() << "mkdtemp failed";
        root_ = tmpl;
    }
    ~TempRoot() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    TempRoot(const TempRoot&) = delete;
    TempRoot& operator=(const TempRoot&) = delete;

    const std::string& path() const { return root_; }
    std::string at(const std::string& rel) const { return root_ + "/" + rel; }

    void write(const std::string& rel, const std::string& text) const {
        std::filesystem::create_directories(std::filesystem::path(at(rel)).parent_path());
        std::ofstream(at(rel)) << text;
    }
    void symlink(const std::string& rel, const std::string& target) const {
        std::filesystem::create_directories(std::filesystem::path(at(rel)).parent_path());
        std::filesystem::create_symlink(target, at(rel));
    }
    void mkdir(const std::string& rel) const { std::filesystem::create_directories(at(rel)); }

  private:
    std::string root_;
};

}  // namespace perouter::config::test
