// The D-Bus API end to end: a private system-like bus with the shipped policy, the server on
// an sd-event loop thread with a fake Controller, and callers that are busctl (as root, as
// nobody, as nobody with CAP_NET_ADMIN, which is not enough), the client library and the
// client-library probe.
#include "dbus/server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "common/process.hpp"
#include "dbus/bus.hpp"
#include "dbus/client.hpp"
#include "dbus/names.hpp"
#include "dbus/vpn_path.hpp"
#include "event_loop_thread.hpp"
#include "fake_controller.hpp"
#include "fake_polkit.hpp"
#include "private_bus.hpp"

namespace perouter::dbus::test {
namespace {

using namespace std::chrono_literals;
using Kind = RouterSignal::Kind;

constexpr const char* kRedPath = "/org/openperouter/Router1/vpn/red";
constexpr const char* kBluePath = "/org/openperouter/Router1/vpn/blue";
constexpr const char* kBlueToml = "[[l2vni]]\nname = \"blue\"\nvni = 210\n";

// Lets root run the fake polkit on the private bus; only ever pasted into the test's bus.
constexpr const char* kFakePolkitPolicy = R"(
  <policy user="root"><allow own="org.freedesktop.PolicyKit1"/></policy>
  <policy context="default"><allow send_destination="org.freedesktop.PolicyKit1"/></policy>
)";

enum class Caller { Root, Nobody, NobodyNetAdmin, NobodyNetRaw };

std::vector<std::string> as(Caller who, std::vector<std::string> argv) {
    std::vector<std::string> prefix;
    if (who != Caller::Root)
        prefix = {"setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"};
    if (who == Caller::NobodyNetAdmin)
        prefix.insert(prefix.end(), {"--inh-caps", "+net_admin", "--ambient-caps", "+net_admin"});
    if (who == Caller::NobodyNetRaw)
        prefix.insert(prefix.end(), {"--inh-caps", "+net_raw", "--ambient-caps", "+net_raw"});
    prefix.insert(prefix.end(), argv.begin(), argv.end());
    return prefix;
}

/// The <interface name="..."> element of an introspection document as a canonical token list,
/// one token per element: its depth, name and sorted attributes. Comments, whitespace and the
/// <x/> vs <x></x> spelling do not matter, and a property without an EmitsChangedSignal
/// annotation gets the default one ("true"), so the schema may spell the default out.
std::vector<std::string> interface_tokens(const std::string& xml, const std::string& name) {
    std::string text = std::regex_replace(xml, std::regex("<!--[\\s\\S]*?-->"), "");
    auto begin = text.find("<interface name=\"" + name + "\"");
    if (begin == std::string::npos)
        return {};
    auto end = text.find("</interface>", begin);
    std::string body = text.substr(begin, end - begin);
    const std::string emits = "annotation name=org.freedesktop.DBus.Property.EmitsChangedSignal";
    std::regex tag("<(/?)([A-Za-z]+)([^>]*?)(/?)>");
    std::regex attr("([A-Za-z_]+)=\"([^\"]*)\"");
    std::vector<std::string> out;
    int depth = 0;
    int open_property = -1;  // index in `out` of a property still lacking the annotation
    auto settle_property = [&] {
        if (open_property >= 0)
            out.push_back("2 " + emits + " value=true");
        open_property = -1;
    };
    for (auto it = std::sregex_iterator(body.begin(), body.end(), tag);
         it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        std::string element = m[2];
        if (m[1] == "/") {
            if (element == "property")
                settle_property();
            --depth;
            continue;
        }
        std::map<std::string, std::string> attrs;
        std::string a = m[3];
        for (auto at = std::sregex_iterator(a.begin(), a.end(), attr); at != std::sregex_iterator();
             ++at)
            attrs[(*at)[1]] = (*at)[2];
        std::string token = std::to_string(depth) + " " + element;
        for (const auto& [k, v] : attrs)
            token += " " + k + "=" + v;
        if (token.find(emits) != std::string::npos)
            open_property = -1;
        out.push_back(token);
        if (element == "property")
            open_property = static_cast<int>(out.size()) - 1;
        if (m[4] == "/") {
            if (element == "property")
                settle_property();
        } else {
            ++depth;
        }
    }
    return out;
}

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class RouterBusTest : public ::testing::Test {
  protected:
    void SetUp() override { start_all({}); }

    void start_all(const std::string& extra_policy) {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (private dbus-daemon with the system policy, setpriv)";
        auto bus = PrivateBus::start(extra_policy);
        ASSERT_TRUE(bus.ok()) << bus.error().message;
        bus_ = std::move(*bus);
        loop_ = std::make_unique<EventLoopThread>();
        std::string error = start_server(BusOptions{bus_->address(), [this](std::string_view l) {
                                                        std::lock_guard lock(log_mu_);
                                                        log_.emplace_back(l);
                                                    }});
        ASSERT_EQ(error, "");
    }

    /// Starts the server on the loop thread; "" or the error message.
    std::string start_server(const BusOptions& options) {
        return loop_->run([&] {
            auto started = BusServer::start(loop_->event(), fake_, options);
            if (!started.ok())
                return started.error().message;
            server_ = std::move(*started);
            return std::string();
        });
    }

    void TearDown() override {
        if (loop_)
            loop_->run([&] {
                server_.reset();
                polkit_.reset();
            });
        loop_.reset();
        bus_.reset();
    }

    ProcessResult busctl(std::vector<std::string> args, Caller who = Caller::Root) {
        std::vector<std::string> argv{"busctl", "--address=" + bus_->address()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = run_process(as(who, argv), 30s);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? *r : ProcessResult{};
    }
    ProcessResult call(std::vector<std::string> args, Caller who = Caller::Root) {
        std::vector<std::string> argv{"call", kBusName, kManagerPath, kManagerInterface};
        argv.insert(argv.end(), args.begin(), args.end());
        return busctl(argv, who);
    }
    ProcessResult probe(std::vector<std::string> args, Caller who) {
        std::vector<std::string> argv{DBUS_ROUTER_PROBE, bus_->address()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = run_process(as(who, argv), 30s);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? *r : ProcessResult{};
    }
    RouterClient client() {
        auto c = RouterClient::connect(bus_->address());
        EXPECT_TRUE(c.ok()) << c.error().message;
        return std::move(*c);
    }
    std::vector<std::string> controller_mutations() {
        std::vector<std::string> out;
        for (const auto& c : fake_.calls())
            if (c.rfind("validate", 0) != 0)
                out.push_back(c);
        return out;
    }
    void start_fake_polkit() {
        auto err = loop_->run([&] {
            auto p = FakePolkit::start(loop_->event(), bus_->address());
            if (!p.ok())
                return p.error().message;
            polkit_ = std::move(*p);
            return std::string();
        });
        ASSERT_EQ(err, "");
    }

    FakeController fake_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<EventLoopThread> loop_;
    std::unique_ptr<BusServer> server_;
    std::unique_ptr<FakePolkit> polkit_;
    std::mutex log_mu_;
    std::vector<std::string> log_;
};

// ---- The contract --------------------------------------------------------------------------

TEST_F(RouterBusTest, IntrospectionMatchesTheSchemaFile) {
    std::string schema =
        read_text(std::string(PEROUTER_SOURCE_DIR) + "/schema/org.openperouter.Router1.xml");
    ASSERT_FALSE(schema.empty());

    auto manager = busctl({"--xml-interface", "introspect", kBusName, kManagerPath});
    ASSERT_EQ(manager.exit_code, 0) << manager.err;
    auto want = interface_tokens(schema, kManagerInterface);
    ASSERT_EQ(want.size(), 30u);  // interface, 6 methods, 9 args, 7 properties, 7 annotations
    EXPECT_EQ(interface_tokens(manager.out, kManagerInterface), want);
    EXPECT_NE(manager.out.find("org.freedesktop.DBus.ObjectManager"), std::string::npos);

    auto vpn = busctl({"--xml-interface", "introspect", kBusName, kRedPath});
    ASSERT_EQ(vpn.exit_code, 0) << vpn.err;
    want = interface_tokens(schema, kVpnInterface);
    ASSERT_EQ(want.size(), 19u);  // the interface, 9 properties, 9 annotations
    EXPECT_EQ(interface_tokens(vpn.out, kVpnInterface), want);
}

// The comparison itself must notice drift, or the test above proves nothing.
TEST(InterfaceTokens, DetectsDrift) {
    std::string a = R"(<node><interface name="x.Y"><!-- doc -->
      <method name="M"><arg type="s" name="a" direction="in"/></method>
      <property name="P" type="s" access="read">
        <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="true"/>
      </property></interface></node>)";
    std::string same = R"(<node><interface name="x.Y"><method name="M">
      <arg direction="in" name="a" type="s"></arg></method>
      <property access="read" name="P" type="s"/></interface></node>)";
    EXPECT_EQ(interface_tokens(a, "x.Y"), interface_tokens(same, "x.Y"));
    std::string retyped =
        std::regex_replace(a, std::regex("type=\"s\" name=\"a\""), "type=\"u\" name=\"a\"");
    EXPECT_NE(interface_tokens(a, "x.Y"), interface_tokens(retyped, "x.Y"));
    std::string constant = std::regex_replace(a, std::regex("value=\"true\""), "value=\"const\"");
    EXPECT_NE(interface_tokens(a, "x.Y"), interface_tokens(constant, "x.Y"));
    EXPECT_TRUE(interface_tokens(a, "x.Z").empty());
}

// ---- Methods and properties as root ----------------------------------------------------------

TEST_F(RouterBusTest, ReadCallsOverBusctl) {
    auto list = call({"ListVpns"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(list.out, std::string("a(so) 1 \"red\" \"") + kRedPath + "\"\n");

    auto state = busctl({"get-property", kBusName, kManagerPath, kManagerInterface, "State",
                         "UnderlayState", "LastError", "Version"});
    EXPECT_EQ(state.out, "s \"running\"\ns \"established\"\ns \"\"\ns \"0.1.0-test\"\n");
    auto errors = busctl({"get-property", kBusName, kManagerPath, kManagerInterface, "ConfigError",
                          "ApplyError", "FailedFiles"});
    EXPECT_EQ(errors.out, "s \"\"\ns \"\"\nas 0\n");

    auto vni = busctl({"get-property", kBusName, kRedPath, kVpnInterface, "Name", "Kind", "Vni",
                       "Vrf", "State", "Source", "Error", "Ipv4Sid", "Ipv6Sid"});
    // An L3VNI has no SIDs: both are "".
    EXPECT_EQ(vni.out,
              "s \"red\"\ns \"l3vni\"\nu 100\ns \"red\"\ns \"configured\"\n"
              "s \"/etc/perouter/perouter.toml\"\ns \"\"\ns \"\"\ns \"\"\n");

    auto describe = call({"--json=short", "Describe"});
    ASSERT_EQ(describe.exit_code, 0) << describe.err;
    auto outer = nlohmann::json::parse(describe.out);
    auto doc = nlohmann::json::parse(outer["data"][0].get<std::string>());
    EXPECT_EQ(doc["state"], "running");
    EXPECT_EQ(doc["vpns"][0]["name"], "red");
}

TEST_F(RouterBusTest, ValidateReturnsEveryDiagnostic) {
    auto ok = call({"Validate", "s", "[[l2vni]]"});
    EXPECT_EQ(ok.out, "as 0\n");
    fake_.set_validate_result({{{"<validate>", 2, 3}, "unknown key 'vnii'"},
                               {{"/etc/perouter/perouter.toml", 7, 1}, "vni 210 is used twice"}});
    auto bad = call({"Validate", "s", "[[l2vni]]\nvnii = 1"});
    EXPECT_EQ(bad.out,
              "as 2 \"<validate>:2:3: unknown key \\'vnii\\'\" "
              "\"/etc/perouter/perouter.toml:7:1: vni 210 is used twice\"\n");
    auto c = client();
    auto lines = c.validate("x");
    ASSERT_TRUE(lines.ok()) << lines.error().message;
    EXPECT_EQ(*lines, (std::vector<std::string>{"<validate>:2:3: unknown key 'vnii'",
                                                "/etc/perouter/perouter.toml:7:1: vni 210 is "
                                                "used twice"}));
    EXPECT_EQ(fake_.calls().back(), "validate x");
}

TEST_F(RouterBusTest, AddAndRemoveVpnOverBusctl) {
    auto add = call({"AddVpn", "ssb", "blue", kBlueToml, "false"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_EQ(add.out, std::string("o \"") + kBluePath + "\"\n");
    auto src = busctl({"get-property", kBusName, kBluePath, kVpnInterface, "Source", "Vni"});
    EXPECT_EQ(src.out, "s \"/run/perouter/perouter.d/50-blue.toml\"\nu 200\n");

    auto persisted = call({"AddVpn", "ssb", "green-1", "x", "true"});
    EXPECT_EQ(persisted.out, "o \"/org/openperouter/Router1/vpn/green_2d1\"\n");
    auto psrc = busctl({"get-property", kBusName, "/org/openperouter/Router1/vpn/green_2d1",
                        kVpnInterface, "Name", "Source"});
    EXPECT_EQ(psrc.out, "s \"green-1\"\ns \"/etc/perouter/perouter.d/50-green-1.toml\"\n");

    auto rm = call({"RemoveVpn", "s", "blue"});
    EXPECT_EQ(rm.exit_code, 0) << rm.err;
    auto gone = busctl({"get-property", kBusName, kBluePath, kVpnInterface, "Name"});
    EXPECT_NE(gone.exit_code, 0);

    auto reload = call({"Reload"});
    EXPECT_EQ(reload.exit_code, 0) << reload.err;
    EXPECT_EQ(fake_.reloads(), 1);
    EXPECT_EQ(controller_mutations(),
              (std::vector<std::string>{std::string("add_vpn blue runtime ") + kBlueToml,
                                        "add_vpn green-1 persist x", "remove_vpn blue", "reload"}));
}

TEST_F(RouterBusTest, ClientLibraryCoversEveryCall) {
    auto c = client();
    auto st = c.status();
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(*st, (ManagerProperties{"running", UnderlayState::Established, "", "0.1.0-test"}));

    auto path = c.add_vpn("blue", kBlueToml, false);
    ASSERT_TRUE(path.ok()) << path.error().message;
    EXPECT_EQ(*path, kBluePath);
    auto list = c.list_vpns();
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(*list, (std::vector<VpnEntry>{{"red", kRedPath}, {"blue", kBluePath}}));
    auto blue = c.vpn("blue");
    ASSERT_TRUE(blue.ok()) << blue.error().message;
    EXPECT_EQ(*blue, (VpnProperties{"blue", VpnKind::L2vni, 200, "", VpnState::Configured,
                                    "/run/perouter/perouter.d/50-blue.toml", "", "", ""}));
    auto doc = c.describe();
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(nlohmann::json::parse(*doc)["vpns"].size(), 2u);
    EXPECT_TRUE(c.remove_vpn("blue").ok());
    EXPECT_TRUE(c.reload().ok());
    EXPECT_EQ(fake_.reloads(), 1);
}

// ---- Errors ----------------------------------------------------------------------------------

TEST_F(RouterBusTest, ControllerErrorsArriveWithTheirNamesAndErrno) {
    auto c = client();
    auto exists = c.add_vpn("red", "x", false);
    ASSERT_FALSE(exists.ok());
    EXPECT_EQ(exists.error().name, kErrorVpnExists);
    EXPECT_EQ(exists.error().code, EEXIST);
    EXPECT_EQ(exists.error().message, "VPN 'red' already exists in /etc/perouter/perouter.toml");

    auto missing = c.remove_vpn("nope");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().name, kErrorNoSuchVpn);
    EXPECT_EQ(missing.error().code, ENOENT);

    auto readonly = c.remove_vpn("red");
    ASSERT_FALSE(readonly.ok());
    EXPECT_EQ(readonly.error().name, kErrorReadOnly);
    EXPECT_EQ(readonly.error().code, EROFS);

    fake_.fail_next({dbus::ControlErrorKind::InvalidConfig,
                     "The configuration is invalid",
                     {{{"/etc/perouter/perouter.d/10-a.toml", 4, 9}, "bad vni"},
                      {{"/run/perouter/perouter.d/50-b.toml", 1, 1}, "unknown table 'x'"}}});
    auto invalid = c.reload();
    ASSERT_FALSE(invalid.ok());
    EXPECT_EQ(invalid.error().name, kErrorInvalidConfig);
    EXPECT_EQ(invalid.error().code, EINVAL);
    EXPECT_EQ(invalid.error().message,
              "The configuration is invalid\n"
              "/etc/perouter/perouter.d/10-a.toml:4:9: bad vni\n"
              "/run/perouter/perouter.d/50-b.toml:1:1: unknown table 'x'");

    fake_.fail_next({dbus::ControlErrorKind::InvalidArgs, "name must not be empty", {}});
    auto args = c.add_vpn("", "x", false);
    ASSERT_FALSE(args.ok());
    EXPECT_EQ(args.error().name, "org.freedesktop.DBus.Error.InvalidArgs");

    fake_.fail_next({dbus::ControlErrorKind::Failed, "write /run/x: No space left", {}});
    auto failed = c.add_vpn("blue", "x", false);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().name, kErrorFailed);
    EXPECT_EQ(failed.error().code, EIO);
    EXPECT_EQ(failed.error().message, "write /run/x: No space left");

    auto nosuch = c.vpn("nope");
    ASSERT_FALSE(nosuch.ok());
    EXPECT_EQ(nosuch.error().name, kErrorNoSuchVpn);

    // busctl shows the message of the error: here the InvalidConfig lines.
    fake_.fail_next({dbus::ControlErrorKind::InvalidConfig, "", {{{"f.toml", 1, 2}, "bad"}}});
    auto shown = call({"Reload"});
    EXPECT_NE(shown.exit_code, 0);
    EXPECT_NE(shown.err.find("f.toml:1:2: bad"), std::string::npos) << shown.err;

    // A wrong signature never reaches the Controller.
    auto before = controller_mutations().size();
    auto sig = call({"AddVpn", "s", "blue"});
    EXPECT_NE(sig.exit_code, 0);
    EXPECT_EQ(controller_mutations().size(), before);
}

// ---- Signals ---------------------------------------------------------------------------------

TEST_F(RouterBusTest, SignalsFollowTheVpnListAndTheStatus) {
    auto c = client();
    ASSERT_TRUE(c.watch().ok());

    ASSERT_TRUE(c.add_vpn("blue", kBlueToml, false).ok());
    auto s = c.wait_signals(5s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->size(), 1u);
    EXPECT_EQ((*s)[0].kind, Kind::InterfacesAdded);
    EXPECT_EQ((*s)[0].path, kBluePath);
    EXPECT_EQ((*s)[0].interfaces, std::vector<std::string>{kVpnInterface});

    // Only the properties that changed are announced.
    loop_->run([&] {
        fake_.mutate([](dbus::ManagerStatus&, std::vector<dbus::VpnInfo>& vpns) {
            vpns[1].state = VpnState::Failed;
            vpns[1].error = "create vxlan 'vni200': File exists";
        });
    });
    s = c.wait_signals(5s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->size(), 1u);
    EXPECT_EQ((*s)[0].kind, Kind::PropertiesChanged);
    EXPECT_EQ((*s)[0].path, kBluePath);
    EXPECT_EQ((*s)[0].interfaces, std::vector<std::string>{kVpnInterface});
    EXPECT_EQ((*s)[0].properties, (std::vector<std::string>{"State", "Error"}));
    auto blue = c.vpn("blue");
    ASSERT_TRUE(blue.ok());
    EXPECT_EQ(blue->state, VpnState::Failed);

    loop_->run([&] {
        fake_.mutate([](dbus::ManagerStatus& st, std::vector<dbus::VpnInfo>&) {
            st.state = "degraded";
            st.last_error = "underlay down";
        });
    });
    s = c.wait_signals(5s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->size(), 1u);
    EXPECT_EQ((*s)[0].path, kManagerPath);
    EXPECT_EQ((*s)[0].interfaces, std::vector<std::string>{kManagerInterface});
    EXPECT_EQ((*s)[0].properties, (std::vector<std::string>{"State", "LastError"}));

    // An announcement without a change sends nothing.
    loop_->run([&] { fake_.announce(); });
    s = c.wait_signals(300ms);
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(s->empty());

    ASSERT_TRUE(c.remove_vpn("blue").ok());
    s = c.wait_signals(5s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->size(), 1u);
    EXPECT_EQ((*s)[0].kind, Kind::InterfacesRemoved);
    EXPECT_EQ((*s)[0].path, kBluePath);
    EXPECT_EQ((*s)[0].interfaces, std::vector<std::string>{kVpnInterface});
}

/// `busctl monitor --json=short` as a child whose output is read line by line while the test
/// runs; killed (by its pid) when done.
class Monitor {
  public:
    Monitor(const std::string& address, const std::vector<std::string>& matches) {
        // stdbuf: busctl's stdout is a pipe here, which stdio would buffer until exit.
        std::vector<std::string> argv{"stdbuf",  "-oL",         "busctl", "--address=" + address,
                                      "monitor", "--json=short"};
        for (const auto& m : matches)
            argv.push_back("--match=" + m);
        std::vector<char*> args;
        for (auto& a : argv)
            args.push_back(a.data());
        args.push_back(nullptr);
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            return;
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            dup2(fds[1], 1);
            execvp("stdbuf", args.data());
            _exit(127);
        }
        close(fds[1]);
        fd_ = fds[0];
    }
    ~Monitor() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (fd_ >= 0)
            close(fd_);
    }
    /// Reads messages until one satisfies `want` or `timeout` passes.
    bool wait_for(const std::function<bool(const nlohmann::json&)>& want,
                  std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (!line.empty() && want(nlohmann::json::parse(line)))
                    return true;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (fd_ < 0 || left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
                return false;
            char chunk[4096];
            ssize_t n = read(fd_, chunk, sizeof chunk);
            if (n <= 0)
                return false;
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }

  private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string buf_;
};

TEST_F(RouterBusTest, SignalsSeenByBusctlMonitor) {
    constexpr const char* kPing = "org.openperouter.Test";
    Monitor monitor(bus_->address(), {"type='signal',sender='org.openperouter.Router1'",
                                      std::string("type='signal',interface='") + kPing + "'"});
    // Ping until the monitor shows a ping: from then on it sees everything it matches.
    auto pinger = open_bus(bus_->address());
    ASSERT_TRUE(pinger.ok());
    bool subscribed = false;
    for (int i = 0; i < 100 && !subscribed; ++i) {
        ASSERT_GE(sd_bus_emit_signal(pinger->get(), "/", kPing, "Ping", ""), 0);
        ASSERT_GE(sd_bus_flush(pinger->get()), 0);
        subscribed = monitor.wait_for(
            [&](const nlohmann::json& j) { return j.value("interface", "") == kPing; }, 100ms);
    }
    ASSERT_TRUE(subscribed);

    ASSERT_EQ(call({"AddVpn", "ssb", "blue", kBlueToml, "false"}).exit_code, 0);
    EXPECT_TRUE(monitor.wait_for(
        [](const nlohmann::json& j) {
            return j.value("member", "") == "InterfacesAdded" &&
                   j.value("path", "") == kManagerPath && j["payload"]["data"][0] == kBluePath;
        },
        10s));
    loop_->run([&] {
        fake_.mutate([](dbus::ManagerStatus& st, std::vector<dbus::VpnInfo>&) {
            st.underlay_state = UnderlayState::Down;
        });
    });
    EXPECT_TRUE(monitor.wait_for(
        [](const nlohmann::json& j) {
            return j.value("member", "") == "PropertiesChanged" &&
                   j.value("path", "") == kManagerPath &&
                   j["payload"]["data"][1].contains("UnderlayState") &&
                   j["payload"]["data"][1].size() == 1;
        },
        10s));
}

TEST_F(RouterBusTest, UnannouncedChangesAreCaughtUpByListVpns) {
    auto c = client();
    ASSERT_TRUE(c.watch().ok());
    loop_->run([&] {
        fake_.mutate(
            [](dbus::ManagerStatus&, std::vector<dbus::VpnInfo>& vpns) {
                vpns.push_back({"quiet", VpnKind::L2vni, 300, "", VpnState::Configured, "/x.toml",
                                "", "", ""});
            },
            /*announce=*/false);
    });
    auto list = c.list_vpns();
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 2u);
    auto s = c.wait_signals(5s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->size(), 1u);
    EXPECT_EQ((*s)[0].kind, Kind::InterfacesAdded);
    EXPECT_EQ((*s)[0].path, vpn_object_path("quiet"));
}

TEST_F(RouterBusTest, ObjectManagerListsTheVpnObjects) {
    auto c = client();
    ASSERT_TRUE(c.add_vpn("blue", kBlueToml, false).ok());
    auto objects = busctl({"--json=short", "call", kBusName, kManagerPath,
                           "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"});
    ASSERT_EQ(objects.exit_code, 0) << objects.err;
    auto data = nlohmann::json::parse(objects.out)["data"][0];
    ASSERT_TRUE(data.contains(kRedPath)) << objects.out;
    ASSERT_TRUE(data.contains(kBluePath)) << objects.out;
    EXPECT_EQ(data[kBluePath][kVpnInterface]["Vni"]["data"], 200);
    EXPECT_EQ(data[kRedPath][kVpnInterface]["Kind"]["data"], "l3vni");
}

TEST_F(RouterBusTest, WaitForStatusWakesOnTheSignal) {
    loop_->run([&] {
        fake_.mutate([](dbus::ManagerStatus& st, std::vector<dbus::VpnInfo>&) {
            st.underlay_state = UnderlayState::Connecting;
        });
    });
    auto c = client();
    std::thread later([&] {
        std::this_thread::sleep_for(300ms);
        loop_->run([&] {
            fake_.mutate([](dbus::ManagerStatus& st, std::vector<dbus::VpnInfo>&) {
                st.underlay_state = UnderlayState::Established;
            });
        });
    });
    auto t0 = std::chrono::steady_clock::now();
    // A poll interval far beyond the timeout: only the PropertiesChanged signal can wake it.
    auto st = c.wait_for_status(
        [](const ManagerProperties& p) { return p.underlay_state == UnderlayState::Established; },
        10s, 60s);
    auto took = std::chrono::steady_clock::now() - t0;
    later.join();
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(st->underlay_state, UnderlayState::Established);
    EXPECT_LT(took, 5s);

    auto timeout = c.wait_for_status([](const ManagerProperties& p) { return p.state == "never"; },
                                     300ms, 100ms);
    ASSERT_FALSE(timeout.ok());
    EXPECT_EQ(timeout.error().name, "org.freedesktop.DBus.Error.Timeout");
    EXPECT_EQ(timeout.error().code, ETIMEDOUT);
    EXPECT_NE(timeout.error().message.find("state 'running'"), std::string::npos);
}

// ---- Authorization (no polkit on the bus) ---------------------------------------------------

TEST_F(RouterBusTest, UnprivilegedCallerMayReadButNotChange) {
    for (auto args :
         std::vector<std::vector<std::string>>{{"AddVpn", "ssb", "blue", kBlueToml, "false"},
                                               {"RemoveVpn", "s", "red"},
                                               {"Reload"}}) {
        auto r = call(args, Caller::Nobody);
        EXPECT_NE(r.exit_code, 0) << args[0];
        // busctl prints every AccessDenied as just "Access denied"; the probe below shows ours.
        EXPECT_NE(r.err.find("Access denied"), std::string::npos) << r.err;
    }
    // Through the client library: the error name, errno EACCES and the daemon's reason, which
    // tells this denial apart from one by the bus policy.
    for (auto args : std::vector<std::vector<std::string>>{
             {"add", "blue", kBlueToml, "false"}, {"remove", "red"}, {"reload"}}) {
        auto r = probe(args, Caller::Nobody);
        EXPECT_EQ(r.exit_code, 1) << args[0];
        EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
                  "error org.freedesktop.DBus.Error.AccessDenied 13");
        EXPECT_NE(r.out.find("needs root or polkit authorization for "
                             "org.openperouter.Router1."),
                  std::string::npos)
            << r.out;
        EXPECT_NE(r.out.find("(polkit is not running)"), std::string::npos) << r.out;
    }
    EXPECT_TRUE(controller_mutations().empty());
    {
        std::lock_guard lock(log_mu_);
        EXPECT_EQ(log_.size(), 6u);
    }

    EXPECT_EQ(call({"ListVpns"}, Caller::Nobody).exit_code, 0);
    EXPECT_EQ(call({"Describe"}, Caller::Nobody).exit_code, 0);
    EXPECT_EQ(call({"Validate", "s", "x"}, Caller::Nobody).exit_code, 0);
    auto prop = busctl({"get-property", kBusName, kRedPath, kVpnInterface, "Vni"}, Caller::Nobody);
    EXPECT_EQ(prop.out, "u 100\n");
    auto all = busctl({"introspect", kBusName, kManagerPath}, Caller::Nobody);
    EXPECT_EQ(all.exit_code, 0) << all.err;
    auto listed = probe({"list"}, Caller::Nobody);
    EXPECT_EQ(listed.out, std::string("ok\nred ") + kRedPath + "\n");
    auto status = probe({"status"}, Caller::Nobody);
    EXPECT_EQ(status.out, "ok\nrunning\n");
    EXPECT_TRUE(controller_mutations().empty());
}

// CAP_NET_ADMIN alone is not enough: the bus does not report capabilities, and reading them
// from /proc races with the caller exec'ing (src/dbus/authorization.hpp).
TEST_F(RouterBusTest, CapNetAdminAloneIsNotEnough) {
    auto add = call({"AddVpn", "ssb", "blue", kBlueToml, "false"}, Caller::NobodyNetAdmin);
    EXPECT_NE(add.exit_code, 0);
    EXPECT_NE(add.err.find("Access denied"), std::string::npos) << add.err;
    auto reload = probe({"reload"}, Caller::NobodyNetAdmin);
    EXPECT_EQ(reload.out.substr(0, reload.out.find('\n')),
              "error org.freedesktop.DBus.Error.AccessDenied 13");
    auto raw = call({"RemoveVpn", "s", "red"}, Caller::NobodyNetRaw);
    EXPECT_NE(raw.exit_code, 0);
    EXPECT_TRUE(controller_mutations().empty());
}

TEST_F(RouterBusTest, ShippedPolicyLetsOnlyRootOwnTheName) {
    // The server (root) owns it; nobody may not even try.
    // dbus-send, because busctl hides the bus's reason behind "Access denied".
    auto r =
        run_process(as(Caller::Nobody, {"dbus-send", "--bus=" + bus_->address(), "--print-reply",
                                        "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus.RequestName",
                                        std::string("string:") + kBusName, "uint32:0"}),
                    30s);
    ASSERT_TRUE(r.ok());
    const ProcessResult& own = *r;
    EXPECT_NE(own.exit_code, 0);
    EXPECT_NE(own.err.find("not allowed to own"), std::string::npos) << own.err;
}

// ---- Authorization through polkit ------------------------------------------------------------

class PolkitTest : public RouterBusTest {
  protected:
    void SetUp() override {
        start_all(kFakePolkitPolicy);
        if (!IsSkipped())
            start_fake_polkit();
    }
};

TEST_F(PolkitTest, PolkitDecidesForUnprivilegedCallers) {
    polkit_->set_answer(false);
    auto no = probe({"add", "blue", kBlueToml, "false"}, Caller::Nobody);
    EXPECT_EQ(no.exit_code, 1);
    EXPECT_NE(no.out.find("AccessDenied"), std::string::npos) << no.out;
    EXPECT_NE(no.out.find("(polkit said no)"), std::string::npos) << no.out;
    EXPECT_TRUE(controller_mutations().empty());
    auto q = polkit_->queries();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].subject_kind, "system-bus-name");
    EXPECT_EQ(q[0].subject_name.rfind(":1.", 0), 0u) << q[0].subject_name;
    EXPECT_EQ(q[0].action, kActionManageVpn);
    EXPECT_EQ(q[0].flags, 1u);  // the client library allows interactive authorization

    polkit_->set_answer(true);
    auto yes = call({"AddVpn", "ssb", "blue", kBlueToml, "false"}, Caller::Nobody);
    EXPECT_EQ(yes.exit_code, 0) << yes.err;
    EXPECT_EQ(yes.out, std::string("o \"") + kBluePath + "\"\n");
    auto reload = call({"--allow-interactive-authorization=no", "Reload"}, Caller::Nobody);
    EXPECT_EQ(reload.exit_code, 0) << reload.err;
    auto rm = probe({"remove", "blue"}, Caller::Nobody);
    EXPECT_EQ(rm.out, "ok\n");
    q = polkit_->queries();
    ASSERT_EQ(q.size(), 4u);
    EXPECT_EQ(q[2].action, kActionReload);
    EXPECT_EQ(q[2].flags, 0u);
    EXPECT_EQ(q[3].action, kActionManageVpn);
    EXPECT_EQ(controller_mutations(),
              (std::vector<std::string>{std::string("add_vpn blue runtime ") + kBlueToml, "reload",
                                        "remove_vpn blue"}));

    // A challenge is still a no: nothing here can answer one.
    polkit_->set_answer(false, /*challenge=*/true);
    auto challenged = probe({"reload"}, Caller::Nobody);
    EXPECT_EQ(challenged.exit_code, 1);
    EXPECT_NE(challenged.out.find("interactive authentication required"), std::string::npos)
        << challenged.out;
    EXPECT_EQ(fake_.reloads(), 1);
}

// The polkit query does not block the daemon's loop: while one caller waits for polkit (an
// authentication agent may be asking a human), others are served; then the answer completes
// the waiting call. (The fake polkit lives on the same loop, so a blocking query would hang.)
TEST_F(PolkitTest, WaitingForPolkitBlocksNothingElse) {
    polkit_->hold();
    ProcessResult waiting;
    std::thread caller([&] {
        waiting = probe({"add", "blue", kBlueToml, "false"}, Caller::Nobody);
    });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (polkit_->queries().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    ASSERT_EQ(polkit_->queries().size(), 1u);
    EXPECT_EQ(loop_->run([&] { return server_->pending_authorizations(); }), 1u);
    EXPECT_EQ(call({"ListVpns"}, Caller::Nobody).exit_code, 0);
    EXPECT_EQ(call({"RemoveVpn", "s", "nope"}).err, "Call failed: No VPN named 'nope'\n");
    EXPECT_EQ(controller_mutations(), std::vector<std::string>{"remove_vpn nope"});

    loop_->run([&] { polkit_->release(true); });
    caller.join();
    EXPECT_EQ(waiting.out, std::string("ok\n") + kBluePath + "\n");
    EXPECT_EQ(loop_->run([&] { return server_->pending_authorizations(); }), 0u);
}

// A caller that gives up while polkit thinks costs nothing: the late answer is dropped.
TEST_F(PolkitTest, CallerGoneBeforePolkitAnswers) {
    polkit_->hold();
    // The caller runs until its query reached polkit, however long that takes; then it dies.
    std::vector<std::string> argv =
        as(Caller::Nobody, {DBUS_ROUTER_PROBE, bus_->address(), "reload"});
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t caller = fork();
    ASSERT_GE(caller, 0);
    if (caller == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execvp(args[0], args.data());
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (polkit_->queries().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    kill(caller, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(caller, &status, 0), caller);
    EXPECT_TRUE(WIFSIGNALED(status))
        << "the caller finished before polkit answered, status " << status;
    ASSERT_EQ(polkit_->queries().size(), 1u);
    loop_->run([&] { polkit_->release(true); });
    // The authorized body still ran (polkit said yes); the reply went nowhere.
    EXPECT_EQ(call({"ListVpns"}).exit_code, 0);
    EXPECT_EQ(fake_.reloads(), 1);
    EXPECT_EQ(loop_->run([&] { return server_->pending_authorizations(); }), 0u);
}

TEST_F(PolkitTest, RootDoesNotAskPolkit) {
    polkit_->set_answer(false);
    EXPECT_EQ(call({"AddVpn", "ssb", "blue", kBlueToml, "false"}).exit_code, 0);
    EXPECT_EQ(call({"Reload"}).exit_code, 0);
    EXPECT_TRUE(polkit_->queries().empty());
    EXPECT_EQ(call({"ListVpns"}, Caller::Nobody).exit_code, 0);
    EXPECT_TRUE(polkit_->queries().empty());
    // CAP_NET_ADMIN without root is asked about like anyone else.
    EXPECT_NE(call({"Reload"}, Caller::NobodyNetAdmin).exit_code, 0);
    EXPECT_EQ(polkit_->queries().size(), 1u);
    EXPECT_EQ(fake_.reloads(), 1);
}

// ---- Server life cycle -----------------------------------------------------------------------

TEST_F(RouterBusTest, TheNameCanBeOwnedOnce) {
    FakeController other;
    std::string error = loop_->run([&] {
        auto s = BusServer::start(loop_->event(), other, BusOptions{bus_->address(), {}});
        return s.ok() ? std::string() : s.error().message;
    });
    EXPECT_NE(error.find("request the bus name org.openperouter.Router1"), std::string::npos)
        << error;
    EXPECT_EQ(call({"ListVpns"}).exit_code, 0);
}

TEST_F(RouterBusTest, EmptyAddressMeansTheSystemBusFromTheEnvironment) {
    loop_->run([&] { server_.reset(); });
    // Nothing else in this process reads the environment concurrently: the loop is idle.
    ASSERT_EQ(setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_->address().c_str(), 1), 0);
    ASSERT_EQ(start_server(BusOptions{}), "");
    auto c = RouterClient::connect();
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto st = c->status();
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(st->state, "running");
}

TEST_F(RouterBusTest, StoppingTheServerReleasesTheName) {
    loop_->run([&] { server_.reset(); });
    auto c = client();
    auto st = c.status();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().name, "org.freedesktop.DBus.Error.ServiceUnknown");
    // on_change no longer points at the dead server.
    loop_->run([&] { fake_.announce(); });
}

}  // namespace
}  // namespace perouter::dbus::test
