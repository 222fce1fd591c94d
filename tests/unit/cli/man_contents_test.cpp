// The reference pages cannot drift from the code: perouter.toml(5) names every table and key
// the configuration reader accepts, perouter-dbus(7) every method, property and error of the
// introspection XML, perouterd(8) every journal MESSAGE_ID.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/keys.hpp"
#include "daemon/messages.hpp"
#include "support/source_file.hpp"

namespace perouter::cli {
namespace {

/// `text` as roff writes it: '-' is "\-".
std::string roff(std::string_view text) {
    std::string out;
    for (char c : text)
        out += c == '-' ? std::string("\\-") : std::string(1, c);
    return out;
}

TEST(ManContents, TomlPageDocumentsEveryTableAndKey) {
    std::string page = perouter::test::source_file("dist/man/perouter.toml.5");
    ASSERT_FALSE(page.empty());
    for (const config::KeyTable* t : config::key_tables()) {
        if (!t->path.empty()) {
            EXPECT_NE(page.find(roff(t->display)), std::string::npos) << t->display;
        }
        // The top-level keys are the tables, checked by their display names above.
        if (t->path.empty())
            continue;
        for (std::string_view key : t->keys) {
            // Keys are documented as tags: "\fBkey\fR = ..." (or ".B key" in nested lists).
            bool tagged = page.find("\\fB" + roff(key) + "\\fR") != std::string::npos ||
                          page.find("\n.B " + roff(key) + "\n") != std::string::npos;
            EXPECT_TRUE(tagged) << t->display << " " << key;
        }
    }
}

TEST(ManContents, DbusPageDocumentsTheWholeInterface) {
    std::string page = perouter::test::source_file("dist/man/perouter-dbus.7");
    std::string xml = perouter::test::source_file("schema/org.openperouter.Router1.xml");
    ASSERT_FALSE(page.empty());
    ASSERT_FALSE(xml.empty());
    std::set<std::string> names;
    std::regex element(R"re(<(interface|method|property|signal) name="([^"]+)")re");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element);
         it != std::sregex_iterator(); ++it)
        names.insert((*it)[2]);
    std::regex error(R"(org\.openperouter\.Router1\.Error\.[A-Za-z]+)");
    for (auto e = std::sregex_iterator(xml.begin(), xml.end(), error); e != std::sregex_iterator();
         ++e)
        names.insert(e->str());
    EXPECT_GT(names.size(), 15u);
    for (const auto& n : names) {
        std::string r = roff(n);
        bool bold = page.find(".B " + r) != std::string::npos ||
                    page.find(".BR " + r) != std::string::npos ||
                    page.find("\\fB" + r) != std::string::npos;
        EXPECT_TRUE(bold) << n;
    }
}

TEST(ManContents, DaemonPageListsEveryMessageId) {
    std::string page = perouter::test::source_file("dist/man/perouterd.8");
    ASSERT_FALSE(page.empty());
    namespace m = daemon::messages;
    for (const m::MessageId& id :
         {m::kConfigLoaded, m::kConfigRejected, m::kVpnAdded, m::kVpnRemoved, m::kVpnFailed,
          m::kUnderlayUp, m::kUnderlayDown, m::kFrrRestarted}) {
        EXPECT_NE(page.find(".B " + std::string(id.id)), std::string::npos) << id.name;
        EXPECT_NE(page.find(roff(id.name) + ":"), std::string::npos) << id.name;
    }
}

}  // namespace
}  // namespace perouter::cli
