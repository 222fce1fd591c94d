// frr::Instance's checks with FRR's own parser (`vtysh -C`, no daemons needed): a change is
// checked by what would be sent, the delta from the applied configuration, not the whole text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "frr/instance.hpp"

namespace perouter::frr {
namespace {

namespace fs = std::filesystem;

const char* kApplied = R"(frr defaults traditional
router bgp 64514
 no bgp default ipv4-unicast
 address-family l2vpn evpn
  advertise-all-vni
 exit-address-family
exit
)";

class InstanceCheck : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/vtysh", X_OK) != 0)
            GTEST_SKIP() << "needs FRR's vtysh (dist/setup.sh installs it)";
        root_ = fs::temp_directory_path() / ("perouter-check-" + std::to_string(::getpid()));
        InstancePaths paths{"check", root_.string()};
        fs::create_directories(fs::path(paths.applied_record()).parent_path());
        std::ofstream(paths.applied_record()) << kApplied;
        instance_.emplace(paths, "check");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    fs::path root_;
    std::optional<Instance> instance_;
};

TEST_F(InstanceCheck, AChangeIsCheckedByItsDelta) {
    std::string added = std::string(kApplied) +
                        "router bgp 64514\n address-family l2vpn evpn\n"
                        "  vni 1030\n   route-target import 64514:1030\n"
                        "  exit-vni\n exit-address-family\nexit\n";
    EXPECT_TRUE(instance_->check_change(added));
    EXPECT_TRUE(instance_->check_change(kApplied));  // nothing to send, nothing to check
}

TEST_F(InstanceCheck, AChangeFrrRejectsFailsWithItsLine) {
    std::string bad = std::string(kApplied) +
                      "router bgp 64514\n address-family l2vpn evpn\n  no such command\n"
                      " exit-address-family\nexit\n";
    Status st = instance_->check_change(bad);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("no such command"), std::string::npos) << st.error().message;
    // The whole text fails too; a text that passed is not checked again.
    EXPECT_FALSE(instance_->check(bad));
    EXPECT_TRUE(instance_->check(kApplied));
}

}  // namespace
}  // namespace perouter::frr
