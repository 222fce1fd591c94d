#include "hostile_bus.hpp"

#include <unistd.h>

#include <thread>

#include "config/load.hpp"
#include "config/vpn_document.hpp"
#include "dbus/names.hpp"
#include "support/scratch_dir.hpp"

namespace perouter::dbus::test {
namespace {

using namespace std::chrono_literals;

// Lets root run the fake polkit on the private bus; only ever pasted into the test's bus.
constexpr const char* kFakePolkitPolicy = R"(
  <policy user="root"><allow own="org.freedesktop.PolicyKit1"/></policy>
  <policy context="default"><allow send_destination="org.freedesktop.PolicyKit1"/></policy>
)";

dbus::ControlError invalid_name(const std::string& name, const std::string& problem) {
    return {dbus::ControlErrorKind::InvalidArgs, "invalid vpn name '" + name + "': " + problem, {}};
}

}  // namespace

Diagnostics ConfigController::validate(const std::string& toml) {
    Diagnostics fake = FakeController::validate(toml);
    if (!real_config_)
        return fake;
    auto r = config::parse_with({{"/etc/perouter/perouter.toml", perouter::test::kMinimalConfig,
                                  /*main=*/true}},
                                {"<validate>", toml, false});
    return r.ok() ? Diagnostics{} : std::move(r).error();
}

dbus::ControlResult<void> ConfigController::add_vpn(const std::string& name,
                                                    const std::string& toml, bool persist) {
    if (auto problem = config::vpn_name_problem(name); !problem.empty())
        return fail(invalid_name(name, problem));
    auto kind = config::check_vpn_document({"<AddVpn>", toml, false}, name);
    if (!kind.ok())
        return fail(dbus::ControlError{dbus::ControlErrorKind::InvalidConfig,
                                       "The VPN document is invalid", std::move(kind).error()});
    return FakeController::add_vpn(name, toml, persist);
}

dbus::ControlResult<void> ConfigController::remove_vpn(const std::string& name) {
    if (auto problem = config::vpn_name_problem(name); !problem.empty())
        return fail(invalid_name(name, problem));
    return FakeController::remove_vpn(name);
}

void HostileBusTest::start(Polkit polkit) {
    if (geteuid() != 0)
        GTEST_SKIP() << "needs root (private dbus-daemon with the system policy, setpriv)";
    auto bus = PrivateBus::start(polkit == Polkit::Absent ? std::string() : kFakePolkitPolicy);
    ASSERT_TRUE(bus.ok()) << bus.error().message;
    bus_ = std::move(*bus);
    loop_ = std::make_unique<EventLoopThread>();
    std::string error = loop_->run([&] {
        BusOptions options{bus_->address(), [this](std::string_view line) {
                               std::lock_guard lock(log_mu_);
                               log_.emplace_back(line);
                           }};
        auto started = BusServer::start(loop_->event(), controller_, options);
        if (!started.ok())
            return started.error().message;
        server_ = std::move(*started);
        if (polkit == Polkit::SaysNo) {
            auto p = FakePolkit::start(loop_->event(), bus_->address());
            if (!p.ok())
                return p.error().message;
            polkit_ = std::move(*p);
            polkit_->set_answer(false);
        }
        return std::string();
    });
    ASSERT_EQ(error, "");
    auto root = open_bus(bus_->address());
    ASSERT_TRUE(root.ok()) << root.error().message;
    root_ = std::move(*root);
}

void HostileBusTest::TearDown() {
    root_.reset();
    if (loop_)
        loop_->run([&] {
            server_.reset();
            polkit_.reset();
        });
    loop_.reset();
    bus_.reset();
}

Answer HostileBusTest::call(const char* member, const std::function<int(sd_bus_message*)>& fill,
                            const char* interface, const char* path) {
    Answer a;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(root_.get(), &raw, kBusName, path ? path : kManagerPath,
                                           interface ? interface : kManagerInterface, member);
    if (r < 0) {
        a.error_name = "local: cannot create the call";
        return a;
    }
    MessagePtr m(raw);
    if (fill && (r = fill(m.get())) < 0) {
        a.error_name = "local: cannot append the arguments";
        return a;
    }
    SdBusError error;
    sd_bus_message* reply = nullptr;
    r = sd_bus_call(root_.get(), m.get(), kLongCallTimeoutUsec, error.get(), &reply);
    a.reply.reset(reply);
    a.ok = r >= 0;
    if (!a.ok) {
        a.error_name = sd_bus_error_is_set(error.get()) ? error.get()->name : "local: errno";
        a.error_message = error.get()->message ? error.get()->message : "";
    }
    return a;
}

bool HostileBusTest::answers() {
    Answer a = call("ListVpns");
    return a.ok && a.reply &&
           std::string(sd_bus_message_get_signature(a.reply.get(), 1)) == "a(so)";
}

ProcessResult HostileBusTest::hostile(Caller who, std::vector<std::string> args,
                                      std::chrono::seconds timeout) {
    std::vector<std::string> argv;
    if (who != Caller::Root)
        argv = {"setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"};
    if (who == Caller::NobodyNetAdmin)
        argv.insert(argv.end(), {"--inh-caps", "+net_admin", "--ambient-caps", "+net_admin"});
    argv.insert(argv.end(), {DBUS_HOSTILE_CALLER, bus_->address()});
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv, timeout);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : ProcessResult{};
}

std::vector<std::string> HostileBusTest::mutations() const {
    std::vector<std::string> out;
    for (const auto& c : controller_.calls())
        if (c.rfind("validate", 0) != 0)
            out.push_back(c);
    return out;
}

std::vector<std::string> HostileBusTest::log() const {
    std::lock_guard lock(log_mu_);
    return log_;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return condition();
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

}  // namespace perouter::dbus::test
