// The bounds of src/dbus/reply_limits.hpp on their own (no bus, no root).
#include "dbus/reply_limits.hpp"

#include <gtest/gtest.h>

#include "config/limits.hpp"

namespace perouter::dbus {
namespace {

TEST(ReplyLimits, ArgumentsUpToTheConfigLimitPass) {
    EXPECT_EQ(oversized_argument("toml", config::kMaxTextBytes), std::nullopt);
    auto over = oversized_argument("toml", config::kMaxTextBytes + 1);
    ASSERT_TRUE(over.has_value());
    EXPECT_EQ(*over, "argument 'toml' is 4194305 bytes, more than the 4194304 allowed");
}

TEST(ReplyLimits, ShortValidLinesAreUntouched) {
    EXPECT_EQ(bounded_line(""), "");
    EXPECT_EQ(bounded_line("a.toml:1:2: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "a.toml:1:2: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    std::string exact(kMaxReplyLineBytes, 'a');
    EXPECT_EQ(bounded_line(exact), exact);
}

TEST(ReplyLimits, InvalidUtf8BecomesReplacementCharacters) {
    // A lone continuation byte, a truncated sequence, an overlong NUL, a surrogate, NUL.
    EXPECT_EQ(bounded_line("a\x80z"), "a\xEF\xBF\xBDz");
    EXPECT_EQ(bounded_line("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(bounded_line("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(bounded_line("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(bounded_line(std::string("a\0b", 3)),
              "a\xEF\xBF\xBD"
              "b");
}

TEST(ReplyLimits, LongLinesAreCutAtACodePoint) {
    std::string euros;
    for (int i = 0; i < 5000; ++i)
        euros += "\xE2\x82\xAC";  // 3 bytes each
    std::string cut = bounded_line(euros);
    EXPECT_LE(cut.size(), kMaxReplyLineBytes);
    auto marker = cut.find("... (");
    ASSERT_NE(marker, std::string::npos);
    EXPECT_EQ(marker % 3, 0u) << "cut inside a code point";
    EXPECT_EQ(cut.substr(marker), "... (" + std::to_string(euros.size() - marker) + " more bytes)");
    // Invalid bytes that triple in size are bounded too.
    EXPECT_LE(bounded_line(std::string(10000, '\xFF')).size(), kMaxReplyLineBytes);
}

TEST(ReplyLimits, DiagnosticsAreCountedNotDropped) {
    Diagnostics d;
    for (uint32_t i = 1; i <= config::kMaxDiagnostics + 1; ++i)
        d.push_back({{"a.toml", i, 1}, "bad"});
    EXPECT_EQ(bounded_diagnostics(d).size(), config::kMaxDiagnostics + 1);
    for (int i = 0; i < 10; ++i)
        d.push_back({{"a.toml", 1, 1}, "bad"});
    auto out = bounded_diagnostics(d);
    ASSERT_EQ(out.size(), config::kMaxDiagnostics + 2);
    EXPECT_EQ(out.front(), "a.toml:1:1: bad");
    EXPECT_EQ(out.back(), "... and 10 more errors");
}

TEST(ReplyLimits, MessagesKeepTheirLinesUpToTheBound) {
    EXPECT_EQ(bounded_message(""), "");
    EXPECT_EQ(bounded_message("one\ntwo\n"), "one\ntwo\n");
    std::string many;
    for (int i = 0; i < 1000; ++i)
        many += "line\n";
    std::string out = bounded_message(many);
    size_t lines = 1;
    for (char c : out)
        lines += c == '\n';
    EXPECT_EQ(lines, config::kMaxDiagnostics + 3);
    EXPECT_NE(
        out.find("... and " + std::to_string(1001 - config::kMaxDiagnostics - 2) + " more lines"),
        std::string::npos);
}

}  // namespace
}  // namespace perouter::dbus
