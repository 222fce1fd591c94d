// A scratch directory tree (a --root for discovery, load and the local perouterctl commands),
// removed at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace perouter::test {

class ScratchDir {
  public:
    explicit ScratchDir(const std::string& prefix = "perouter-test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        if (!::mkdtemp(tmpl.data()))
            ADD_FAILURE() << "mkdtemp failed";
        root_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

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

/// A minimal valid configuration: a node index, the underlay and a tunnel endpoint.
inline const char* kMinimalConfig = R"([node]
index = 0

[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]

[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
)";

}  // namespace perouter::test
