// The shipped bus policy and polkit actions must name what the code uses, or the daemon
// cannot own its name / polkit cannot find the actions.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "dbus/names.hpp"
#include "support/source_file.hpp"

namespace perouter::dbus {
namespace {

TEST(DistFiles, PolkitPolicyDefinesBothActions) {
    std::string policy = perouter::test::source_file("dist/polkit/org.openperouter.Router1.policy");
    ASSERT_FALSE(policy.empty());
    for (const char* action : {kActionReload, kActionManageVpn})
        EXPECT_NE(policy.find(std::string("<action id=\"") + action + "\">"), std::string::npos)
            << action;
    EXPECT_EQ(policy.find("<allow_any>yes</allow_any>"), std::string::npos);
}

TEST(DistFiles, BusPolicyLetsRootOwnTheName) {
    std::string conf = perouter::test::source_file("dist/dbus/org.openperouter.Router1.conf");
    ASSERT_FALSE(conf.empty());
    auto root = conf.find("<policy user=\"root\">");
    auto own = conf.find(std::string("<allow own=\"") + kBusName + "\"/>");
    auto deflt = conf.find("<policy context=\"default\">");
    ASSERT_NE(root, std::string::npos);
    ASSERT_NE(own, std::string::npos);
    ASSERT_NE(deflt, std::string::npos);
    // Ownership is granted inside root's policy, not the default one.
    EXPECT_GT(own, root);
    EXPECT_LT(own, deflt);
}

}  // namespace
}  // namespace perouter::dbus
