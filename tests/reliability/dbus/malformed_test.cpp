// Malformed and hostile calls: wrong signatures, missing arguments, unknown members, oversized
// strings, TOML nested 30,000 levels deep, invalid VPN names, and a Controller that answers
// with far too much. Each gets a typed error (or a bounded reply), and the server keeps
// answering afterwards.
#include <string>
#include <vector>

#include "config/limits.hpp"
#include "dbus/names.hpp"
#include "dbus/reply_limits.hpp"
#include "hostile_bus.hpp"

namespace perouter::dbus::test {
namespace {

constexpr const char* kInvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
constexpr size_t kDeep = 30000;

using Fill = std::function<int(sd_bus_message*)>;

Fill strings(std::vector<std::string> values) {
    return [values = std::move(values)](sd_bus_message* m) {
        for (const auto& v : values)
            if (int r = sd_bus_message_append_basic(m, 's', v.c_str()); r < 0)
                return r;
        return 0;
    };
}

Fill add_vpn(std::string name, std::string toml) {
    return [name = std::move(name), toml = std::move(toml)](sd_bus_message* m) {
        return sd_bus_message_append(m, "ssb", name.c_str(), toml.c_str(), 0);
    };
}

/// TOML whose one value nests `depth` levels: arrays, inline tables, or one dotted key.
std::vector<std::string> deep_documents(size_t depth) {
    std::string arrays = "x = " + std::string(depth, '[') + std::string(depth, ']') + "\n";
    std::string tables = "x = ";
    for (size_t i = 0; i < depth; ++i)
        tables += "{a = ";
    tables += "1" + std::string(depth, '}') + "\n";
    std::string dotted = "x";
    for (size_t i = 0; i < depth; ++i)
        dotted += ".a";
    dotted += " = 1\n";
    std::string header = "[x";
    for (size_t i = 0; i < depth; ++i)
        header += ".a";
    header += "]\n";
    return {arrays, tables, dotted, header};
}

std::vector<std::string> read_strv(sd_bus_message* reply) {
    std::vector<std::string> out;
    if (sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "s") < 0)
        return {"<not an array of strings>"};
    const char* s = nullptr;
    while (sd_bus_message_read_basic(reply, 's', &s) > 0)
        out.emplace_back(s);
    sd_bus_message_exit_container(reply);
    return out;
}

class Malformed : public HostileBusTest {};

struct BadCall {
    const char* what;
    const char* member;
    Fill fill;
    const char* interface;
    const char* path;
    const char* want;
};

TEST_F(Malformed, EachBadCallGetsATypedErrorAndTheServerAnswersOn) {
    std::string huge(config::kMaxTextBytes + 1, '#');
    const char* vpn_path = "/org/openperouter/Router1/vpn/red";
    std::vector<BadCall> calls = {
        {"Reload with an argument", "Reload", strings({"x"}), nullptr, nullptr, kInvalidArgs},
        {"Validate without its argument", "Validate", {}, nullptr, nullptr, kInvalidArgs},
        {"Validate with an int", "Validate",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "i", 7); }, nullptr, nullptr,
         kInvalidArgs},
        {"Validate with two strings", "Validate", strings({"a", "b"}), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn without persist", "AddVpn", strings({"blue", "x = 1"}), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn with three strings", "AddVpn", strings({"blue", "x", "true"}), nullptr, nullptr,
         kInvalidArgs},
        {"RemoveVpn without a name", "RemoveVpn", {}, nullptr, nullptr, kInvalidArgs},
        {"RemoveVpn with a byte", "RemoveVpn",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "y", 1); }, nullptr, nullptr,
         kInvalidArgs},
        {"an unknown method",
         "Frobnicate",
         {},
         nullptr,
         nullptr,
         "org.freedesktop.DBus.Error.UnknownMethod"},
        {"an unknown interface",
         "Reload",
         {},
         "org.openperouter.Router1.Nope",
         nullptr,
         "org.freedesktop.DBus.Error.UnknownMethod"},  // sd-bus's name for both
        {"an unknown object",
         "Reload",
         {},
         nullptr,
         "/org/openperouter/Router1/nope",
         "org.freedesktop.DBus.Error.UnknownObject"},
        {"a Manager method on a VPN object",
         "Reload",
         {},
         nullptr,
         vpn_path,
         "org.freedesktop.DBus.Error.UnknownMethod"},
        {"setting a read-only property", "Set",
         [](sd_bus_message* m) {
             return sd_bus_message_append(m, "ssv", kManagerInterface, "State", "s", "stopping");
         },
         "org.freedesktop.DBus.Properties", nullptr, "org.freedesktop.DBus.Error.PropertyReadOnly"},
        {"Validate with an oversized text", "Validate", strings({huge}), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn with an oversized text", "AddVpn", add_vpn("blue", huge), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn with an oversized name", "AddVpn", add_vpn(huge, "x = 1"), nullptr, nullptr,
         kInvalidArgs},
        {"RemoveVpn with an oversized name", "RemoveVpn", strings({huge}), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn with an empty name", "AddVpn", add_vpn("", "x = 1"), nullptr, nullptr,
         kInvalidArgs},
        {"AddVpn with a path as name", "AddVpn", add_vpn("../../etc/passwd", "x = 1"), nullptr,
         nullptr, kInvalidArgs},
        {"AddVpn with a space in the name", "AddVpn", add_vpn("a b", "x = 1"), nullptr, nullptr,
         kInvalidArgs},
        {"RemoveVpn with a path as name", "RemoveVpn", strings({"../perouter"}), nullptr, nullptr,
         kInvalidArgs},
    };
    for (const auto& c : calls) {
        Answer a = call(c.member, c.fill, c.interface, c.path);
        EXPECT_FALSE(a.ok) << c.what;
        EXPECT_EQ(a.error_name, c.want) << c.what << ": " << a.error_message;
        // Whatever came back is bounded, even when the argument was not.
        EXPECT_LE(a.error_message.size(), 2 * kMaxReplyLineBytes) << c.what;
        EXPECT_TRUE(answers()) << "after " << c.what;
    }
    // Nothing was changed, and no oversized text reached the Controller.
    EXPECT_TRUE(mutations().empty()) << mutations().size();
    for (const auto& m : controller_.calls())
        EXPECT_LE(m.size(), config::kMaxTextBytes + 64) << "an oversized text reached it";
}

TEST_F(Malformed, TheLimitItselfIsAccepted) {
    // A comment of exactly kMaxTextBytes bytes: the largest text anyone may send.
    std::string largest = "#" + std::string(config::kMaxTextBytes - 2, 'a') + "\n";
    ASSERT_EQ(largest.size(), config::kMaxTextBytes);
    Answer a = call("Validate", strings({largest}));
    ASSERT_TRUE(a.ok) << a.error_name << ": " << a.error_message;
    EXPECT_EQ(read_strv(a.reply.get()), std::vector<std::string>{});
}

TEST_F(Malformed, DeepTomlIsRefusedWithItsPosition) {
    for (const auto& doc : deep_documents(kDeep)) {
        Answer v = call("Validate", strings({doc}));
        ASSERT_TRUE(v.ok) << v.error_name << ": " << v.error_message;
        auto diags = read_strv(v.reply.get());
        ASSERT_FALSE(diags.empty()) << doc.substr(0, 40);
        EXPECT_EQ(diags[0].rfind("<validate>:1:", 0), 0u) << diags[0];
        EXPECT_LE(diags.size(), config::kMaxDiagnostics + 1);

        Answer add = call("AddVpn", add_vpn("deep", doc));
        EXPECT_EQ(add.error_name, kErrorInvalidConfig) << add.error_message;
        EXPECT_NE(add.error_message.find("<AddVpn>:1:"), std::string::npos)
            << add.error_message.substr(0, 200);
        EXPECT_TRUE(answers());
    }
    EXPECT_TRUE(mutations().empty());
    EXPECT_EQ(controller_.vpns().size(), 1u);  // only "red": no deep document was added
}

// The Controller's answers are the daemon's business, but what goes on the bus is bounded:
// 5,000 diagnostics of 20 kB each (100 MB, far past what the bus carries) still give a reply.
TEST_F(Malformed, RepliesStayBoundedWhateverTheControllerSays) {
    Diagnostics flood;
    std::string long_message = "\xff\xfe invalid UTF-8 " + std::string(20000, 'x');
    for (uint32_t i = 1; i <= 5000; ++i)
        flood.push_back({{"<validate>", i, 1}, long_message});
    loop_->run([&] {
        controller_.use_real_config(false);
        controller_.set_validate_result(flood);
    });
    Answer v = call("Validate", strings({"x = 1"}));
    ASSERT_TRUE(v.ok) << v.error_name << ": " << v.error_message;
    auto diags = read_strv(v.reply.get());
    ASSERT_EQ(diags.size(), config::kMaxDiagnostics + 2);
    for (const auto& d : diags)
        EXPECT_LE(d.size(), kMaxReplyLineBytes);
    EXPECT_NE(diags[0].find("more bytes)"), std::string::npos) << diags[0].substr(0, 80);
    EXPECT_EQ(diags.back(),
              "... and " + std::to_string(5000 - config::kMaxDiagnostics - 1) + " more errors");

    dbus::ControlError e{dbus::ControlErrorKind::InvalidConfig,
                         std::string(3 * kMaxReplyLineBytes, 'm') + "\nsecond line", flood};
    loop_->run([&] { controller_.fail_next(e); });
    Answer add = call("AddVpn", add_vpn("blue", "[[l2vni]]\nname = \"blue\"\nvni = 210\n"));
    EXPECT_EQ(add.error_name, kErrorInvalidConfig);
    size_t lines = 1;
    for (char c : add.error_message)
        lines += c == '\n';
    EXPECT_LE(lines, config::kMaxDiagnostics + 2 + 2) << "headline, diagnostics, summaries";
    EXPECT_LE(add.error_message.size(), lines * kMaxReplyLineBytes);
    EXPECT_NE(add.error_message.find("more errors"), std::string::npos);
    EXPECT_NE(add.error_message.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD";

    loop_->run([&] {
        controller_.mutate([&](dbus::ManagerStatus& s, std::vector<dbus::VpnInfo>&) {
            s.last_error = std::string(10 * 1000 * 1000, 'e');
        });
    });
    Answer prop = call(
        "Get",
        [](sd_bus_message* m) {
            return sd_bus_message_append(m, "ss", kManagerInterface, "LastError");
        },
        "org.freedesktop.DBus.Properties");
    ASSERT_TRUE(prop.ok) << prop.error_name;
    const char* value = nullptr;
    ASSERT_GE(sd_bus_message_read(prop.reply.get(), "v", "s", &value), 0);
    EXPECT_LE(std::string(value).size(), kMaxReplyLineBytes);
    EXPECT_TRUE(answers());
}

}  // namespace
}  // namespace perouter::dbus::test
