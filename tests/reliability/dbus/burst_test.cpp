// A burst of 10,000 asynchronous calls from several connections, root and nobody at once: every
// call gets a reply or an error (none is left unanswered), and the server answers afterwards.
#include <future>
#include <map>
#include <regex>
#include <sstream>

#include "dbus/names.hpp"
#include "hostile_bus.hpp"

namespace perouter::dbus::test {
namespace {

using namespace std::chrono_literals;

constexpr int kCallsPerCaller = 5000;  // two callers: 10,000 calls
constexpr int kConnectionsPerCaller = 4;

struct Tally {
    int sent = -1;
    int returns = -1;
    int errors = -1;
    int unanswered = -1;
    std::map<std::string, int> by_name;
};

Tally parse_tally(const std::string& out) {
    Tally t;
    std::istringstream in(out);
    std::string line;
    std::regex head(R"(sent (\d+) returns (\d+) errors (\d+) unanswered (\d+))");
    std::regex error(R"(error (\S+) (\d+))");
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, head)) {
            t.sent = std::stoi(m[1]);
            t.returns = std::stoi(m[2]);
            t.errors = std::stoi(m[3]);
            t.unanswered = std::stoi(m[4]);
        } else if (std::regex_match(line, m, error)) {
            t.by_name[m[1]] = std::stoi(m[2]);
        }
    }
    return t;
}

class Burst : public HostileBusTest {};

TEST_F(Burst, TenThousandCallsAreAllAnswered) {
    std::vector<std::string> args{"burst", std::to_string(kConnectionsPerCaller),
                                  std::to_string(kCallsPerCaller)};
    auto as_nobody =
        std::async(std::launch::async, [&] { return hostile(Caller::Nobody, args, 600s); });
    ProcessResult root = hostile(Caller::Root, args, 600s);
    ProcessResult nobody = as_nobody.get();
    ASSERT_EQ(root.exit_code, 0) << root.err;
    ASSERT_EQ(nobody.exit_code, 0) << nobody.err;

    // The mix is ListVpns, Validate, Reload, Get(State) in turn: a quarter are Reloads.
    constexpr int kReloads = kCallsPerCaller / 4;
    Tally r = parse_tally(root.out);
    EXPECT_EQ(r.sent, kCallsPerCaller) << root.out;
    EXPECT_EQ(r.unanswered, 0) << root.out;
    EXPECT_EQ(r.returns, kCallsPerCaller) << root.out;
    EXPECT_EQ(r.errors, 0) << root.out;

    Tally n = parse_tally(nobody.out);
    EXPECT_EQ(n.sent, kCallsPerCaller) << nobody.out;
    EXPECT_EQ(n.unanswered, 0) << nobody.out;
    EXPECT_EQ(n.returns + n.errors, kCallsPerCaller) << nobody.out;
    EXPECT_EQ(n.returns, kCallsPerCaller - kReloads) << nobody.out;
    EXPECT_EQ(n.by_name,
              (std::map<std::string, int>{{"org.freedesktop.DBus.Error.AccessDenied", kReloads}}))
        << nobody.out;

    // Only root's Reloads reached the Controller; every denial was logged once.
    EXPECT_EQ(controller_.reloads(), kReloads);
    EXPECT_EQ(log().size(), static_cast<size_t>(kReloads));
    EXPECT_TRUE(answers());
    EXPECT_EQ(loop_->run([&] { return server_->pending_authorizations(); }), 0u);
}

}  // namespace
}  // namespace perouter::dbus::test
