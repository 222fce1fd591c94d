// The command line: what parses into what, and that the completion and the man page know
// every command and option the parser does.
#include "cli/app.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "support/source_file.hpp"

namespace perouter::cli {
namespace {

using ::testing::ElementsAre;

/// Parses `args` (without the program name); false on a parse error.
bool parse(Invocation& inv, std::vector<std::string> args) {
    CLI::App app;
    define_app(app, inv);
    std::vector<char*> argv{const_cast<char*>("perouterctl")};
    for (auto& a : args)
        argv.push_back(a.data());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError&) {
        return false;
    }
    return true;
}

Invocation parsed(std::vector<std::string> args) {
    Invocation inv;
    EXPECT_TRUE(parse(inv, args)) << ::testing::PrintToString(args);
    return inv;
}

bool rejected(std::vector<std::string> args) {
    Invocation inv;
    return !parse(inv, std::move(args));
}

TEST(App, GlobalOptionsBeforeOrAfterTheCommand) {
    auto a = parsed({"--json", "vpn", "list"});
    EXPECT_EQ(a.command, "vpn list");
    EXPECT_EQ(a.json, "pretty");
    auto b = parsed({"vpn", "list", "--json=short", "--no-legend"});
    EXPECT_EQ(b.json, "short");
    EXPECT_TRUE(b.no_legend);
    auto c = parsed({"status", "--bus-address", "unix:path=/x", "--no-ask-password"});
    EXPECT_EQ(c.command, "status");
    EXPECT_EQ(c.bus_address, "unix:path=/x");
    EXPECT_TRUE(c.no_ask_password);
    EXPECT_EQ(parsed({"status"}).json, "");
    EXPECT_TRUE(rejected({"--json=yaml", "status"}));
}

TEST(App, EveryCommandParses) {
    EXPECT_EQ(parsed({"reload"}).command, "reload");
    EXPECT_EQ(parsed({"cat-config"}).command, "cat-config");
    EXPECT_EQ(parsed({"show-config", "--root", "/tmp/r"}).root, "/tmp/r");
    auto v = parsed({"validate", "a.toml", "-", "--standalone"});
    EXPECT_EQ(v.command, "validate");
    EXPECT_THAT(v.files, ElementsAre("a.toml", "-"));
    EXPECT_TRUE(v.standalone);
    auto d = parsed({"diff", "--netns", "lab1", "--host-netns", "host1"});
    EXPECT_EQ(d.command, "diff");
    EXPECT_EQ(d.netns, "lab1");
    EXPECT_EQ(d.host_netns, "host1");
    EXPECT_EQ(parsed({"diff"}).netns, "perouter");
    EXPECT_EQ(parsed({"wait-online"}).timeout_sec, 120u);
    EXPECT_EQ(parsed({"wait-online", "--timeout", "0"}).timeout_sec, 0u);
    EXPECT_EQ(parsed({"vpn", "show", "red"}).vpn_name, "red");
    EXPECT_EQ(parsed({"vpn", "remove", "red"}).command, "vpn remove");
    EXPECT_TRUE(parsed({"vpn", "list", "--names"}).names_only);
    auto i = parsed({"import", "node-config.yaml", "-", "-o", "out.toml"});
    EXPECT_EQ(i.command, "import");
    EXPECT_THAT(i.files, ElementsAre("node-config.yaml", "-"));
    EXPECT_EQ(i.output, "out.toml");
    EXPECT_EQ(parsed({"import", "a.yaml", "--output=b.toml"}).output, "b.toml");
    EXPECT_EQ(parsed({"import", "a.yaml"}).output, "");
}

TEST(App, VpnAddFromFileOrFlags) {
    auto f = parsed({"vpn", "add", "blue", "blue.toml", "--persist"});
    EXPECT_EQ(f.command, "vpn add");
    EXPECT_EQ(f.vpn_name, "blue");
    EXPECT_EQ(f.vpn_file, "blue.toml");
    EXPECT_TRUE(f.persist);
    auto b = parsed({"vpn", "add", "blue", "--l3vni", "--vni", "200", "--vrf", "blue",
                     "--local-cidr", "192.169.11.0/24", "--local-cidr", "2001:db8::/64", "--asn",
                     "64514", "--host-asn", "64515", "--default-gateway"});
    EXPECT_TRUE(b.l3vni);
    EXPECT_EQ(b.vpn_file, "");
    EXPECT_EQ(b.spec.vni, 200u);
    EXPECT_EQ(b.spec.vrf, "blue");
    EXPECT_THAT(b.spec.local_cidrs, ElementsAre("192.169.11.0/24", "2001:db8::/64"));
    EXPECT_EQ(b.spec.asn, 64514u);
    EXPECT_EQ(b.spec.host_asn, 64515u);
    EXPECT_TRUE(b.spec.default_gateway);
    auto v = parsed({"vpn", "add", "green", "--l3vpn", "--vrf", "green", "--rd-assigned-number",
                     "100", "--import-rt", "64512:100", "--import-rt", "64512:101"});
    EXPECT_TRUE(v.l3vpn);
    EXPECT_EQ(v.spec.rd_assigned_number, 100u);
    EXPECT_THAT(v.spec.import_rts, ElementsAre("64512:100", "64512:101"));
    auto l2 = parsed({"vpn", "add", "web", "--l2vni", "--vni", "210", "--gateway-ip",
                      "192.170.1.1/24", "--host-bridge", "managed", "--routing-domain", "red"});
    EXPECT_TRUE(l2.l2vni);
    EXPECT_EQ(l2.spec.host_bridge, "managed");
    EXPECT_EQ(l2.spec.routing_domain, "red");
    EXPECT_THAT(l2.spec.gateway_ips, ElementsAre("192.170.1.1/24"));
    EXPECT_FALSE(l2.spec.ovs_bridge);
    auto ovs = parsed({"vpn", "add", "web", "--l2vni", "--vni", "210", "--ovs-bridge", "br-int"});
    EXPECT_EQ(ovs.spec.ovs_bridge, "br-int");
    EXPECT_FALSE(ovs.spec.host_bridge);
    // An empty value is given (and refused by the builder), not the flag left out.
    EXPECT_EQ(parsed({"vpn", "add", "web", "--l2vni", "--ovs-bridge", ""}).spec.ovs_bridge, "");
}

TEST(App, UsageErrors) {
    EXPECT_TRUE(rejected({}));
    EXPECT_TRUE(rejected({"bogus"}));
    EXPECT_TRUE(rejected({"vpn"}));
    EXPECT_TRUE(rejected({"vpn", "show"}));
    EXPECT_TRUE(rejected({"validate"}));
    EXPECT_TRUE(rejected({"import"}));
    EXPECT_TRUE(rejected({"import", "a.yaml", "--output"}));
    EXPECT_TRUE(rejected({"vpn", "add", "x", "--l3vpn", "--l3vni"}));
    EXPECT_TRUE(rejected({"vpn", "add", "x", "--l2vni", "--l3vni"}));
    EXPECT_TRUE(rejected({"vpn", "add", "x", "--l2vni", "--vni", "-1"}));
    EXPECT_TRUE(rejected({"wait-online", "--timeout", "soon"}));
    EXPECT_TRUE(rejected({"status", "--names"}));
}

/// Whether `word` occurs in `text` not as part of a longer name ("--json" in "--json-x" does
/// not count).
bool contains_word(const std::string& text, const std::string& word) {
    auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        size_t end = at + word.size();
        if ((at == 0 || !name_char(text[at - 1])) && (end == text.size() || !name_char(text[end])))
            return true;
    }
    return false;
}

/// Every command and option name, as "vpn add --persist" style words.
struct Surface {
    std::vector<std::string> commands;  // "status", "vpn", "list", ...
    std::vector<std::string> options;   // "--json", "--persist", ...
};

void collect(CLI::App& app, Surface& s) {
    for (const CLI::Option* o : app.get_options())
        for (const auto& l : o->get_lnames())
            s.options.push_back("--" + l);
    for (CLI::App* g : app.get_subcommands([](CLI::App* a) { return a->get_name().empty(); }))
        collect(*g, s);  // option groups
    for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return !a->get_name().empty(); })) {
        s.commands.push_back(sub->get_name());
        collect(*sub, s);
    }
}

Surface surface() {
    Invocation inv;
    CLI::App app;
    define_app(app, inv);
    Surface s;
    collect(app, s);
    return s;
}

TEST(App, CommandNamesAsListed) {
    Invocation inv;
    CLI::App app;
    define_app(app, inv);
    EXPECT_THAT(command_names(app),
                ElementsAre("status", "vpn", "reload", "validate", "diff", "cat-config",
                            "show-config", "wait-online", "import"));
}

TEST(App, CompletionKnowsEveryCommandAndOption) {
    std::string completion = perouter::test::source_file("dist/completion/perouterctl");
    ASSERT_FALSE(completion.empty());
    Surface s = surface();
    EXPECT_GT(s.options.size(), 20u);
    for (const auto& c : s.commands)
        EXPECT_TRUE(contains_word(completion, c)) << c;
    for (const auto& o : s.options)
        EXPECT_TRUE(contains_word(completion, o)) << o;
}

/// Whether the roff spelling of `word` ("-" as "\\-") occurs in `page` as a whole name, in any
/// font markup (".B", ".BR", "\\fB", "[").
bool documented(const std::string& page, const std::string& word) {
    std::string r;
    for (char ch : word)
        r += ch == '-' ? std::string("\\-") : std::string(1, ch);
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    for (size_t at = page.find(r); at != std::string::npos; at = page.find(r, at + 1)) {
        size_t end = at + r.size();
        bool before = at == 0 || !alnum(page[at - 1]);
        bool after = end == page.size() || (!alnum(page[end]) && page.compare(end, 2, "\\-") != 0);
        if (before && after)
            return true;
    }
    return false;
}

TEST(App, ManPageDocumentsEveryCommandAndOption) {
    std::string page = perouter::test::source_file("dist/man/perouterctl.8");
    ASSERT_FALSE(page.empty());
    Surface s = surface();
    for (const auto& c : s.commands)
        EXPECT_TRUE(documented(page, c)) << c;
    for (const auto& o : s.options)
        EXPECT_TRUE(documented(page, o)) << o;
}

}  // namespace
}  // namespace perouter::cli
