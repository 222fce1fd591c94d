// `perouterctl import` in-process: standard output or a file (atomic, mode by secrecy), standard
// input, notes and errors on standard error, nothing written when an input is refused. The
// conversion itself is tested in tests/unit/importer.
#include "cli/import_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "config/load.hpp"
#include "scratch_root.hpp"

namespace perouter::cli {
namespace {

using test::ScratchRoot;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Run {
    int rc = -1;
    std::string out;
    std::string err;
};

Run import(const std::vector<std::string>& files, const std::string& output = "",
           const std::string& input = "") {
    std::ostringstream out, err;
    std::istringstream in(input);
    Run r;
    r.rc = run_import(files, output, Streams{out, err, in});
    r.out = out.str();
    r.err = err.str();
    return r;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

const char* kNode = "nodeIndex: {index: 0}\nlogLevel: debug\n";
const char* kUnderlay = R"(underlays:
  - asn: 64514
    interfaces: [{type: NetworkDevice, networkDevice: {interfaceName: eth1}}]
    neighbors: [{asn: 64512, address: 192.168.11.2}]
)";

TEST(Import, PrintsTheConfigurationAndNotes) {
    ScratchRoot root;
    root.write("node-config.yaml", kNode);
    root.write("openpe_u.yaml", kUnderlay);
    auto r = import({root.at("node-config.yaml"), root.at("openpe_u.yaml")});
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_THAT(r.out, HasSubstr("[underlay]\nasn = 64514\ninterfaces = [ \"eth1\" ]\n"));
    EXPECT_EQ(r.err, root.at("node-config.yaml") +
                         ":2:1: note: logLevel \"debug\" not imported: perouterd's log level is "
                         "its --log-level option (perouterd(8))\n");
    // What it prints is a configuration perouter loads.
    auto cfg = config::parse({{"imported.toml", r.out, true}});
    EXPECT_TRUE(cfg.ok());
}

TEST(Import, StandardInput) {
    auto r = import({"-"}, "", kUnderlay);
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_THAT(r.out, HasSubstr("#   <stdin>\n"));
    EXPECT_THAT(r.out, HasSubstr("# from <stdin>:2:5 (underlays[0])\n[underlay]\n"));
}

TEST(Import, WritesTheFileReplacingItAtomically) {
    ScratchRoot root;
    root.write("openpe_u.yaml", kUnderlay);
    root.write("out/60-imported.toml", "old\n");
    const std::string out = root.at("out/60-imported.toml");
    auto r = import({root.at("openpe_u.yaml")}, out);
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(read(out), HasSubstr("[underlay]\n"));
    EXPECT_EQ(mode_of(out), 0644u);
    EXPECT_THAT(names_in(root.at("out")), ::testing::ElementsAre("60-imported.toml"));
}

TEST(Import, APasswordMakesTheFileRootOnly) {
    ScratchRoot root;
    root.write("openpe_u.yaml",
               "underlays:\n  - asn: 1\n    neighbors: [{asn: 2, address: 10.0.0.1, password: "
               "pw}]\n");
    const std::string out = root.at("secret.toml");
    EXPECT_EQ(import({root.at("openpe_u.yaml")}, out).rc, kExitOk);
    EXPECT_EQ(mode_of(out), 0600u);
}

TEST(Import, RefusedInputWritesNothing) {
    ScratchRoot root;
    root.write("openpe_u.yaml", "underlays:\n  - asn: 1\n    srv6: {}\n");
    root.write("out/keep.toml", "old\n");
    const std::string out = root.at("out/keep.toml");
    auto r = import({root.at("openpe_u.yaml")}, out);
    EXPECT_EQ(r.rc, kExitFailure);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(root.at("openpe_u.yaml") + ":3:5: srv6: SRv6 is not imported"));
    EXPECT_EQ(read(out), "old\n");
    EXPECT_THAT(names_in(root.at("out")), ::testing::ElementsAre("keep.toml"));
}

TEST(Import, UnreadableInputOrOutputFails) {
    ScratchRoot root;
    auto missing = import({root.at("nope.yaml")});
    EXPECT_EQ(missing.rc, kExitFailure);
    EXPECT_THAT(missing.err, HasSubstr("nope.yaml: cannot read: No such file or directory"));
    root.write("openpe_u.yaml", kUnderlay);
    auto nodir = import({root.at("openpe_u.yaml")}, root.at("no/such/dir/x.toml"));
    EXPECT_EQ(nodir.rc, kExitFailure);
    EXPECT_THAT(nodir.err, HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace perouter::cli
