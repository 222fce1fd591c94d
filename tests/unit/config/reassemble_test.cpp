// reassemble(): when it builds a configuration, that configuration is assemble()'s of the same
// texts; it declines (nullopt) whenever a file that changed holds anything but VPN entries, an
// entry would replace another file's, or the result does not validate.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "config/load.hpp"
#include "config/test_util.hpp"

namespace perouter::config {
namespace {

using test::kBase;

ConfigText main_file(std::string text) {
    return {"/etc/perouter/perouter.toml", std::move(text), true};
}

ConfigText dropin(const std::string& name, std::string text) {
    return {"/etc/perouter/perouter.d/" + name, std::move(text)};
}

std::string l2(const std::string& name, int vni, const std::string& extra = "") {
    return fmt::format("[[l2vni]]\nname = \"{}\"\nvni = {}\n{}", name, vni, extra);
}

std::string l3(const std::string& name, int vni) {
    return fmt::format("[[l3vni]]\nname = \"{}\"\nvrf = \"{}\"\nvni = {}\n", name, name, vni);
}

enum class Outcome { Reassembled, Declined };

// Reassembles `now` on the assembly of `before` (which must stand whole) and checks the result
// against assemble(now): equal configuration and texts when it reassembled.
Outcome check(const std::vector<ConfigText>& before, const std::vector<ConfigText>& now) {
    Assembly base = assemble(before);
    EXPECT_TRUE(base.clean()) << "the base must stand whole";
    if (!base.clean())
        return Outcome::Declined;
    auto r = reassemble({base.texts, *base.config, base.replaced}, now);
    if (!r)
        return Outcome::Declined;
    Assembly full = assemble(now);
    EXPECT_TRUE(full.clean()) << "reassembled what assemble() does not accept whole";
    EXPECT_TRUE(r->clean());
    EXPECT_FALSE(r->replaced);
    EXPECT_EQ(r->texts, full.texts);
    if (full.config && r->config) {
        EXPECT_TRUE(*r->config == *full.config) << "reassembled configuration differs";
    }
    return Outcome::Reassembled;
}

TEST(Reassemble, AddingRemovingAndChangingVpnFilesReassembles) {
    const auto m = main_file(std::string(kBase) + l2("in-main", 10));
    const auto a = dropin("10-a.toml", l2("a", 100) + l2("a2", 101));
    const auto b = dropin("50-b.toml", l2("b", 200));
    const auto c = dropin("90-c.toml", l3("c", 300) + l2("c2", 301, "routing_domain = \"c\"\n"));
    EXPECT_EQ(check({m, a, c}, {m, a, b, c}), Outcome::Reassembled);  // added between two
    EXPECT_EQ(check({m, a, b, c}, {m, a, c}), Outcome::Reassembled);  // removed
    EXPECT_EQ(check({m, a, b, c}, {m, a, dropin("50-b.toml", l2("b", 201)), c}),
              Outcome::Reassembled);                            // changed
    EXPECT_EQ(check({m}, {m, a, b, c}), Outcome::Reassembled);  // several at once
    EXPECT_EQ(check({m, a, b, c}, {m}), Outcome::Reassembled);
    EXPECT_EQ(check({m, a}, {m, a}), Outcome::Reassembled);  // nothing changed
    // The same text under another path: a different file (its positions name the new path).
    EXPECT_EQ(check({m, b}, {m, ConfigText{"/run/perouter/perouter.d/50-b.toml", b.text}}),
              Outcome::Reassembled);
}

TEST(Reassemble, AGeneralFileUnchangedKeepsItsEntriesAndSettings) {
    const auto m = main_file(kBase);
    const auto general = dropin("20-general.toml", "[node]\nindex = 3\n" + l2("g", 50));
    const auto a = dropin("30-a.toml", l2("a", 100));
    EXPECT_EQ(check({m, general}, {m, general, a}), Outcome::Reassembled);
    EXPECT_EQ(check({m, general, a}, {m, general}), Outcome::Reassembled);
}

TEST(Reassemble, DeclinesWhenAFileHoldingMoreThanVpnsChanges) {
    const auto m = main_file(kBase);
    const auto a = dropin("30-a.toml", l2("a", 100));
    EXPECT_EQ(check({m, a}, {main_file(std::string(kBase) + "\n[online]\n"), a}),
              Outcome::Declined);  // the main file
    EXPECT_EQ(check({m}, {m, dropin("20-node.toml", "[node]\nindex = 3\n")}), Outcome::Declined);
    EXPECT_EQ(check({m, dropin("20-node.toml", "[node]\nindex = 3\n")}, {m}), Outcome::Declined);
    EXPECT_EQ(check({m}, {m, dropin("20-mixed.toml", l2("a", 100) + "[node]\nindex = 3\n")}),
              Outcome::Declined);
    EXPECT_EQ(check({m}, {m, dropin("20-raw.toml",
                                    "[[raw_frr]]\nname = \"x\"\nconfig = \"ip forwarding\\n\"\n")}),
              Outcome::Declined);
}

TEST(Reassemble, DeclinesWhenAnEntryReplacesAnotherFilesEntry) {
    const auto m = main_file(kBase);
    const auto a = dropin("30-a.toml", l2("a", 100));
    const auto again = dropin("40-again.toml", l2("a", 101));
    EXPECT_EQ(check({m, a}, {m, a, again}), Outcome::Declined);
    EXPECT_TRUE(assemble({m, a, again}).replaced);
    // A base in which one did: its replaced entry is not in its configuration to come back.
    EXPECT_EQ(check({m, a, again}, {m, a}), Outcome::Declined);
    EXPECT_FALSE(assemble({m, a}).replaced);
}

TEST(Reassemble, DeclinesWhatDoesNotValidateAndAssembleLeavesItOut) {
    const auto m = main_file(kBase);
    const auto a = dropin("30-a.toml", l2("a", 100));
    const std::vector<ConfigText> bad_files{
        dropin("40-dup-vni.toml", l2("b", 100)),                     // clash with another file
        dropin("40-dup-in-file.toml", l2("b", 200) + l2("b", 201)),  // twice in one file
        dropin("40-syntax.toml", "[[l2vni]\nname = \"b\"\n"),
        dropin("40-bad-value.toml", l2("b", 0)),
        dropin("40-no-domain.toml", l2("b", 200, "routing_domain = \"nope\"\n")),
        dropin("40-not-tables.toml", "l2vni = [1]\n"),
    };
    for (const auto& bad : bad_files) {
        SCOPED_TRACE(bad.path);
        EXPECT_EQ(check({m, a}, {m, a, bad}), Outcome::Declined);
        EXPECT_FALSE(assemble({m, a, bad}).clean());
    }
    // Removing an L3VNI an unchanged file's L2VNI names as its routing domain.
    const auto l3file = dropin("20-red.toml", l3("red", 300));
    const auto user = dropin("30-user.toml", l2("u", 301, "routing_domain = \"red\"\n"));
    EXPECT_EQ(check({m, l3file, user}, {m, user}), Outcome::Declined);
}

// Random walks over a set of VPN files (some clash, some refer to others) from a fixed seed:
// every step is checked against assemble(), and most steps must take the reassembled path.
TEST(Reassemble, RandomChangesAgreeWithAssemble) {
    const auto m = main_file(std::string(kBase) + l3("main-l3", 9000));
    std::vector<ConfigText> pool;
    for (int i = 0; i < 12; ++i) {
        std::string name = fmt::format("{:02}-v.toml", 10 + i * 5);
        pool.push_back(dropin(name, l2(fmt::format("v{}", i), 100 + i)));
        pool.push_back(dropin(name, l2(fmt::format("v{}", i), 200 + i, "rd = \"10.0.0.1:5\"\n")));
        pool.push_back(dropin(name, l3(fmt::format("r{}", i), 300 + i) +
                                        l2(fmt::format("w{}", i), 400 + i,
                                           fmt::format("routing_domain = \"r{}\"\n", i))));
        pool.push_back(
            dropin(name, l2(fmt::format("m{}", i), 500 + i, "routing_domain = \"main-l3\"\n")));
    }
    std::mt19937 rng(20261205);
    std::map<std::string, ConfigText> current;
    auto texts_of = [&](const std::map<std::string, ConfigText>& files) {
        std::vector<ConfigText> out{m};
        for (const auto& [path, t] : files)
            out.push_back(t);
        return out;
    };
    int reassembled = 0;
    int steps = 0;
    for (int step = 0; step < 400; ++step) {
        std::map<std::string, ConfigText> next = current;
        for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) {
            const ConfigText& pick = pool[rng() % pool.size()];
            if (next.contains(pick.path) && rng() % 2 == 0)
                next.erase(pick.path);
            else
                next.insert_or_assign(pick.path, pick);
        }
        // Only steps from a base that stands whole, to a configuration that may or may not.
        Assembly base = assemble(texts_of(current));
        ASSERT_TRUE(base.clean());
        ++steps;
        if (check(texts_of(current), texts_of(next)) == Outcome::Reassembled)
            ++reassembled;
        if (assemble(texts_of(next)).clean())
            current = std::move(next);
    }
    EXPECT_GT(reassembled, steps / 2) << reassembled << " of " << steps << " reassembled";
}

}  // namespace
}  // namespace perouter::config
