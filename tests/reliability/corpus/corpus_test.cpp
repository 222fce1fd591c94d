// R2: every file of the invalid configuration corpus is rejected, at the position and with the
// message its header names. No privileges, no network: parse() and load() read only the corpus.
//
// invalid/NAME.toml starts with `# expect: LINE:COL: SUBSTRING`; it is parsed after base.toml
// (a valid configuration) and one diagnostic must point at LINE:COL of NAME.toml with a message
// containing SUBSTRING. multi/CASE/ is a root for config::load(); its `expect` file lists
// `RELPATH:LINE:COL: SUBSTRING` lines, every one of which must be reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/limits.hpp"
#include "config/load.hpp"

namespace perouter::config {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = PEROUTER_CORPUS_DIR;

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Expectation {
    std::string file;  // a path, or a suffix of one for multi cases
    uint32_t line = 0;
    uint32_t column = 0;
    std::string substring;
};

/// "LINE:COL: SUBSTRING" -> Expectation (file left empty).
std::optional<Expectation> parse_expectation(const std::string& text) {
    Expectation e;
    std::istringstream in(text);
    char colon1 = 0, colon2 = 0;
    if (!(in >> e.line >> colon1 >> e.column >> colon2) || colon1 != ':' || colon2 != ':')
        return std::nullopt;
    std::getline(in, e.substring);
    e.substring.erase(0, e.substring.find_first_not_of(' '));
    if (e.line == 0 || e.column == 0 || e.substring.empty())
        return std::nullopt;
    return e;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool matches(const Diagnostic& d, const Expectation& e) {
    return (d.pos.file == e.file || ends_with(d.pos.file, "/" + e.file)) && d.pos.line == e.line &&
           d.pos.column == e.column && d.message.find(e.substring) != std::string::npos;
}

std::string all(const Diagnostics& diags) {
    std::string s;
    for (const auto& d : diags)
        s += "  " + d.str() + "\n";
    return s.empty() ? "  (none)\n" : s;
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (directories ? e.is_directory() : e.path().extension() == ".toml")
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

/// Parses `text` (named `path`) after base.toml; the diagnostics, empty when it was accepted.
Diagnostics reject(const std::string& path, const std::string& text) {
    auto r = parse({{(kCorpus / "base.toml").string(), read(kCorpus / "base.toml")}, {path, text}});
    return r.ok() ? Diagnostics{} : r.error();
}

TEST(Corpus, BaseIsValid) {
    auto r = parse({{"base.toml", read(kCorpus / "base.toml")}});
    EXPECT_TRUE(r.ok()) << all(r.ok() ? Diagnostics{} : r.error());
}

TEST(Corpus, EveryInvalidFileIsRejectedWhereItSays) {
    const auto files = sorted_entries(kCorpus / "invalid", false);
    EXPECT_GE(files.size(), 100u);
    for (const fs::path& f : files) {
        SCOPED_TRACE(f.filename().string());
        const std::string text = read(f);
        const std::string header = "# expect: ";
        ASSERT_EQ(text.rfind(header, 0), 0u) << "first line must be '# expect: LINE:COL: TEXT'";
        auto e = parse_expectation(text.substr(header.size(), text.find('\n') - header.size()));
        ASSERT_TRUE(e) << "first line must be '# expect: LINE:COL: TEXT'";
        e->file = f.string();
        const Diagnostics diags = reject(f.string(), text);
        ASSERT_FALSE(diags.empty()) << "accepted";
        EXPECT_TRUE(std::any_of(diags.begin(), diags.end(),
                                [&](const Diagnostic& d) { return matches(d, *e); }))
            << "expected " << e->line << ":" << e->column << ": " << e->substring << "\ngot:\n"
            << all(diags);
        // The base is valid: nothing may be blamed on it alone.
        for (const auto& d : diags)
            EXPECT_EQ(d.pos.file, f.string()) << d.str();
    }
}

TEST(Corpus, EveryMultiFileCaseReportsEveryPosition) {
    const auto cases = sorted_entries(kCorpus / "multi", true);
    EXPECT_GE(cases.size(), 8u);
    for (const fs::path& root : cases) {
        SCOPED_TRACE(root.filename().string());
        std::vector<Expectation> expected;
        std::istringstream lines(read(root / "expect"));
        for (std::string line; std::getline(lines, line);) {
            if (line.empty() || line[0] == '#')
                continue;
            // RELPATH:LINE:COL: TEXT
            const size_t colon = line.find(':');
            ASSERT_NE(colon, std::string::npos) << line;
            auto e = parse_expectation(line.substr(colon + 1));
            ASSERT_TRUE(e) << "expect line must be 'RELPATH:LINE:COL: TEXT': " << line;
            e->file = line.substr(0, colon);
            ASSERT_TRUE(fs::exists(root / e->file)) << e->file;
            expected.push_back(*e);
        }
        ASSERT_FALSE(expected.empty());
        const Assembly a = load(Layout{root.string()});
        const Diagnostics diags = a.diagnostics();
        EXPECT_FALSE(a.clean());
        for (const auto& e : expected)
            EXPECT_TRUE(std::any_of(diags.begin(), diags.end(),
                                    [&](const Diagnostic& d) { return matches(d, e); }))
                << "expected " << e.file << ":" << e.line << ":" << e.column << ": " << e.substring
                << "\ngot:\n"
                << all(diags);
    }
}

// Too large to commit: generated here.
TEST(Corpus, HugeFileIsRejectedAtTheFirstByteTooMany) {
    const std::string line = "# " + std::string(64, '.') + "\n";  // 67 bytes
    std::string text = "# padding\n";
    while (text.size() <= kMaxTextBytes)
        text += line;
    const Diagnostics diags = reject("huge.toml", text);
    ASSERT_EQ(diags.size(), 1u) << all(diags);
    EXPECT_EQ(diags[0].pos.line, 2 + (kMaxTextBytes - 10) / 67);
    EXPECT_EQ(diags[0].pos.column, 1 + (kMaxTextBytes - 10) % 67);
    EXPECT_NE(diags[0].message.find("text longer than"), std::string::npos);
}

TEST(Corpus, DeepNestingOfEveryKindIsRejectedWithoutCrashing) {
    const size_t n = 100000;
    std::string dotted = "a";
    for (size_t i = 1; i < n; ++i)
        dotted += ".a";
    std::string inline_tables;
    for (size_t i = 0; i < n; ++i)
        inline_tables += "{a=";
    for (const std::string& text : {dotted + " = 1\n", "[" + dotted + "]\n", "[[" + dotted + "]]\n",
                                    "a = " + std::string(n, '['), "a = " + inline_tables}) {
        const Diagnostics diags = reject("deep.toml", text);
        ASSERT_EQ(diags.size(), 1u) << all(diags);
        EXPECT_NE(diags[0].message.find("nested more than"), std::string::npos) << diags[0].str();
    }
}

TEST(Corpus, TooManyVpnsIsOneError) {
    std::string text;
    for (size_t i = 1; i <= kMaxVpns + 10; ++i)
        text += "[[l2vni]]\nname = \"s" + std::to_string(i) +
                "\"\nvni = " + std::to_string(1000 + i) + "\n";
    const Diagnostics diags = reject("many.toml", text);
    ASSERT_EQ(diags.size(), 1u) << all(diags);
    // base.toml's red is the first VPN, so entry kMaxVpns of this file is one too many.
    EXPECT_EQ(diags[0].pos.line, 1 + 3 * (kMaxVpns - 1));
    EXPECT_NE(diags[0].message.find("too many [[l3vni]] and [[l2vni]]"), std::string::npos);
}

}  // namespace
}  // namespace perouter::config
