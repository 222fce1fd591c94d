// Input limits in front of the TOML parser (src/config/limits.cpp): text size, nesting depth,
// the number of VPNs, and the cap on diagnostics.
#include "config/limits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace perouter::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kTooDeep = "nested more than 32 levels deep (keys and arrays)";

/// The position and message check_text_limits() reports, or "" when the text is within limits.
std::string limit_error(const std::string& text) {
    auto d = check_text_limits(text, "t.toml");
    return d ? d->str() : "";
}

/// `n` segments: "a.a.a".
std::string dotted(size_t n) {
    std::string s = "a";
    for (size_t i = 1; i < n; ++i)
        s += ".a";
    return s;
}

TEST(Limits, DeepDottedKey) {
    EXPECT_EQ(limit_error(dotted(kMaxNestingDepth) + " = 1\n"), "");
    // Segment 33 starts at column 1 + 2 * 32.
    EXPECT_EQ(limit_error(dotted(kMaxNestingDepth + 1) + " = 1\n"), "t.toml:1:65: " + kTooDeep);
    // The 70 KB key that overflowed toml++'s stack before.
    EXPECT_EQ(limit_error("x = 1\n" + dotted(35000) + " = 1\n"), "t.toml:2:65: " + kTooDeep);
}

TEST(Limits, DeepTableHeader) {
    EXPECT_EQ(limit_error("[" + dotted(kMaxNestingDepth) + "]\n"), "");
    EXPECT_EQ(limit_error("[" + dotted(kMaxNestingDepth + 1) + "]\n"), "t.toml:1:66: " + kTooDeep);
    EXPECT_EQ(limit_error("[[" + dotted(kMaxNestingDepth + 1) + "]]\n"),
              "t.toml:1:67: " + kTooDeep);
    // Keys below a header count from the header's depth.
    EXPECT_EQ(limit_error("[" + dotted(30) + "]\nb.c = 1\n"), "");
    EXPECT_EQ(limit_error("[" + dotted(30) + "]\nb.c.d = 1\n"), "t.toml:2:5: " + kTooDeep);
    // A new header starts over.
    EXPECT_EQ(limit_error("[" + dotted(30) + "]\n[b]\nc.d.e = 1\n"), "");
}

TEST(Limits, DeepArrays) {
    // "a" is level 1, each array one more.
    const size_t ok = kMaxNestingDepth - 1;
    EXPECT_EQ(limit_error("a = " + std::string(ok, '[') + std::string(ok, ']') + "\n"), "");
    EXPECT_EQ(limit_error("a = " + std::string(ok + 1, '[') + std::string(ok + 1, ']') + "\n"),
              "t.toml:1:36: " + kTooDeep);
    EXPECT_EQ(limit_error("a = [\n  [\n" + std::string(40, '[')), "t.toml:3:30: " + kTooDeep);
    EXPECT_EQ(limit_error("a = " + std::string(30000, '[')), "t.toml:1:36: " + kTooDeep);
}

TEST(Limits, DeepInlineTables) {
    auto nested = [](size_t keys) {
        std::string s = "a = ";
        for (size_t i = 1; i < keys; ++i)
            s += "{a = ";
        s += "1";
        for (size_t i = 1; i < keys; ++i)
            s += "}";
        return s + "\n";
    };
    EXPECT_EQ(limit_error(nested(kMaxNestingDepth)), "");
    // Key 33 is at column 1 + 5 * 32.
    EXPECT_EQ(limit_error(nested(kMaxNestingDepth + 1)), "t.toml:1:161: " + kTooDeep);
    std::string bomb;
    for (int i = 0; i < 30000; ++i)
        bomb += "{a=";
    EXPECT_EQ(limit_error("a=" + bomb), "t.toml:1:97: " + kTooDeep);
    // Keys without names still count.
    std::string unnamed;
    for (int i = 0; i < 30000; ++i)
        unnamed += "{=";
    EXPECT_THAT(limit_error("a=" + unnamed), HasSubstr(kTooDeep));
}

TEST(Limits, MixedNestingCountsEveryLevel) {
    // Header 26, a.b 28, array 29, {c.d} 31, arrays 32 and 33.
    EXPECT_EQ(limit_error("[" + dotted(26) + "]\na.b = [{c.d = [1]}]\n"), "");
    std::string text = "[" + dotted(26) + "]\na.b = [{c.d = [[1]]}]\n";
    EXPECT_EQ(limit_error(text), "t.toml:2:16: " + kTooDeep);
}

TEST(Limits, StringsAndCommentsDoNotCount) {
    const std::string brackets(100, '[');
    const std::string dots = dotted(100);
    for (const std::string& text : {
             "a = \"" + brackets + "\"\n",
             "a = '" + brackets + "'\n",
             "a = \"\"\"\n" + brackets + "\n\"\"\"\n",
             "a = '''\n" + brackets + "\n" + dots + " = 1\n'''\n",
             "a = \"\\\"" + brackets + "\"\n",               // escaped quote
             "a = \"\"\"x\"\"" + brackets + "\"\"\"\"\"\n",  // quotes inside and at the end
             "# " + brackets + "\n" + "# " + dots + " = 1\n",
             "a = [ # " + brackets + "\n 1]\n",
             "\"" + dots + "\" = 1\n",
             "['" + dots + "']\n",
             std::string("a = [\"]]]\", '[[[', \"\"\"[\"\"\"]\n"),
         })
        EXPECT_EQ(limit_error(text), "") << text;
    // Quoted segments count once each, whatever they contain.
    std::string quoted = "\"a.b\"";
    for (size_t i = 1; i <= kMaxNestingDepth; ++i)
        quoted += ".'c.d'";
    EXPECT_EQ(limit_error(quoted + " = 1\n"),
              "t.toml:1:" + std::to_string(7 + 6 * 31) + ": " + kTooDeep);
}

TEST(Limits, ColumnsCountCodePoints) {
    // "é" is two bytes and one column, as toml++ counts it.
    EXPECT_EQ(limit_error("b = \"é\"\na = " + std::string(40, '[')), "t.toml:2:36: " + kTooDeep);
    EXPECT_EQ(limit_error("\"é\" = [" + std::string(40, '[')), "t.toml:1:38: " + kTooDeep);
}

TEST(Limits, HugeText) {
    std::string text(kMaxTextBytes, '#');
    for (size_t i = 99; i < text.size(); i += 100)
        text[i] = '\n';
    EXPECT_EQ(limit_error(text), "");
    text += "x";
    // Byte kMaxTextBytes is the first of line kMaxTextBytes / 100 + 1.
    EXPECT_EQ(limit_error(text),
              fmt::format("t.toml:{}:{}: text longer than {} bytes", kMaxTextBytes / 100 + 1,
                          kMaxTextBytes % 100 + 1, kMaxTextBytes));
}

TEST(Limits, NeverStopsOnGarbage) {
    // Unterminated strings, stray closers, NULs, lone UTF-8 continuation bytes.
    for (const std::string& text :
         {std::string("a = \"\"\"\n[[[[[["), std::string("]]]]}}}},,,,===\n[[a]]]\n"),
          std::string("a = '''"), std::string("a = \"\\"), std::string("\0\0\0[", 4),
          std::string("a = \x80\x80\xff[[", 9), std::string("[a.\n"), std::string("{a={a=}}}"),
          std::string("a = [1,,,]\n b = {,}"), std::string("\"\"\"")})
        EXPECT_EQ(limit_error(text), "") << text;
}

TEST(Limits, ParseReportsTheLimitInsteadOfCrashing) {
    auto errs = test::errors_with_base(dotted(40000) + " = 1\n");
    EXPECT_THAT(errs, ElementsAre("b.toml:1:65: " + kTooDeep));
    errs = test::errors_with_base("a = " + std::string(40000, '{'));
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_THAT(errs[0], HasSubstr("b.toml:1:"));
    // At the limit toml++ parses the text; the key is merely unknown.
    EXPECT_THAT(test::errors_with_base("[" + dotted(kMaxNestingDepth) + "]\n"),
                ElementsAre("b.toml:1:2: unknown key 'a' in the top-level table"));
    EXPECT_THAT(test::errors_with_base("a = " + std::string(kMaxNestingDepth - 1, '[') +
                                       std::string(kMaxNestingDepth - 1, ']') + "\n"),
                ElementsAre("b.toml:1:1: unknown key 'a' in the top-level table"));
}

TEST(Limits, TooManyVpns) {
    std::string text;
    for (size_t i = 1; i <= kMaxVpns + 2; ++i) {
        const bool l3 = i <= kMaxVpns / 2;
        text += fmt::format("[[{}]]\nname = \"v{}\"\nvni = {}\n{}", l3 ? "l3vni" : "l2vni", i, i,
                            l3 ? fmt::format("vrf = \"v{}\"\n", i) : "");
    }
    auto errs = test::errors_with_base(text);
    // Entry kMaxVpns + 1 is the second-to-last l2vni; every entry above it has 3 lines, the
    // l3vnis one more.
    const size_t line = (kMaxVpns / 2) * 4 + (kMaxVpns / 2) * 3 + 1;
    EXPECT_THAT(errs, ElementsAre(fmt::format(
                          "b.toml:{}:1: too many [[l3vni]] and [[l2vni]] entries (at most {})",
                          line, kMaxVpns)));
}

TEST(Limits, CapDiagnostics) {
    Diagnostics d;
    for (uint32_t i = 1; i <= kMaxDiagnostics + 5; ++i)
        d.push_back({SourcePos{"x.toml", i, 1}, "bad"});
    cap_diagnostics(d);
    ASSERT_EQ(d.size(), kMaxDiagnostics + 1);
    EXPECT_EQ(d[kMaxDiagnostics - 1].str(), fmt::format("x.toml:{}:1: bad", kMaxDiagnostics));
    EXPECT_EQ(d.back().str(),
              fmt::format("x.toml:{}:1: ... and 5 more errors", kMaxDiagnostics + 1));
    Diagnostics exact(kMaxDiagnostics, Diagnostic{SourcePos{"x.toml", 1, 1}, "bad"});
    cap_diagnostics(exact);
    EXPECT_EQ(exact.size(), kMaxDiagnostics);
}

}  // namespace
}  // namespace perouter::config
