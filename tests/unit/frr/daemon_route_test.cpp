// frr/daemon_route.hpp against vtysh itself: stand-in zebra, staticd, bfdd and bgpd listen on vty
// sockets and record every configuration line they are sent. The same script goes once through
// `vtysh -f` (which routes each line by FRR 8.4's command tables) and once through
// frr::send_delta (which routes by our table and talks to each daemon's socket); each daemon
// must have received the same lines, in the same order. Scripts: every golden configuration
// whole (what a start pushes), and deltas between goldens (additions and removals).
#include "frr/daemon_route.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/process.hpp"
#include "frr/delta.hpp"
#include "frr/instance.hpp"
#include "frr/render.hpp"
#include "models.hpp"

namespace perouter::frr::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::array kDaemons{Daemon::Zebra, Daemon::Staticd, Daemon::Bfdd, Daemon::Bgpd};

// The four daemons' vty sockets in one run directory: every command is answered with success
// (three NULs and status 0) and its text recorded under the daemon's name.
class StandIns {
  public:
    explicit StandIns(const InstancePaths& paths) {
        fs::create_directories(paths.rundir());
        for (Daemon d : kDaemons) {
            int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            const std::string path = paths.vty_socket(std::string(to_string(d)));
            std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
            EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path;
            EXPECT_EQ(::listen(fd, 4), 0);
            listeners_.push_back({fd, d});
        }
        EXPECT_EQ(::pipe2(stop_, O_CLOEXEC), 0);
        thread_ = std::thread([this] { loop(); });
    }
    ~StandIns() {
        char c = 0;
        EXPECT_EQ(::write(stop_[1], &c, 1), 1);
        thread_.join();
        for (auto& [fd, d] : listeners_)
            ::close(fd);
        ::close(stop_[0]);
        ::close(stop_[1]);
    }
    /// What each daemon was sent since the last take(): configuration lines only (vtysh's and
    /// vty_configure's own commands around them left out), each as one "line\n".
    std::map<Daemon, std::string> take() {
        std::lock_guard lock(mutex_);
        return std::exchange(seen_, {});
    }

  private:
    struct Conn {
        int fd;
        Daemon daemon;
        std::string buf;
    };

    void record(Daemon d, std::string command) {
        while (!command.empty() && (command.back() == '\n' || command.back() == ' '))
            command.pop_back();
        static const std::array kEnvelope{"enable",
                                          "disable",
                                          "configure",
                                          "configure terminal",
                                          "end",
                                          "XFRR_start_configuration",
                                          "XFRR_end_configuration"};
        for (const char* e : kEnvelope)
            if (command == e)
                return;
        std::lock_guard lock(mutex_);
        seen_[d] += command + "\n";
    }

    void loop() {
        std::vector<Conn> conns;
        for (;;) {
            std::vector<pollfd> fds{{stop_[0], POLLIN, 0}};
            for (auto& [fd, d] : listeners_)
                fds.push_back({fd, POLLIN, 0});
            for (auto& c : conns)
                fds.push_back({c.fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), -1) < 0)
                continue;
            if (fds[0].revents)
                break;
            for (size_t i = 0; i < listeners_.size(); ++i)
                if (fds[1 + i].revents & POLLIN) {
                    int fd = ::accept4(listeners_[i].first, nullptr, nullptr, SOCK_CLOEXEC);
                    if (fd >= 0)
                        conns.push_back({fd, listeners_[i].second, {}});
                }
            const size_t base = 1 + listeners_.size();
            for (size_t i = 0; i < fds.size() - base; ++i) {
                if (!fds[base + i].revents)
                    continue;
                Conn& c = conns[i];
                char chunk[4096];
                ssize_t n = ::read(c.fd, chunk, sizeof chunk);
                if (n <= 0) {
                    ::close(c.fd);
                    c.fd = -1;
                    continue;
                }
                c.buf.append(chunk, static_cast<size_t>(n));
                for (size_t nul; (nul = c.buf.find('\0')) != std::string::npos;) {
                    record(c.daemon, c.buf.substr(0, nul));
                    c.buf.erase(0, nul + 1);
                    const char ok[4] = {0, 0, 0, 0};
                    EXPECT_EQ(::write(c.fd, ok, 4), 4);
                }
            }
            std::erase_if(conns, [](const Conn& c) { return c.fd < 0; });
        }
        for (auto& c : conns)
            ::close(c.fd);
    }

    std::vector<std::pair<int, Daemon>> listeners_;
    int stop_[2] = {-1, -1};
    std::thread thread_;
    std::mutex mutex_;
    std::map<Daemon, std::string> seen_;
};

class DaemonRoute : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/perouter-daemon-route.XXXXXX";
        root_ = ::mkdtemp(tmpl);
        paths_ = InstancePaths{"t", root_};
        standins_ = std::make_unique<StandIns>(paths_);
    }
    void TearDown() override {
        standins_.reset();
        fs::remove_all(root_);
    }

    // What vtysh sends each daemon for `script`.
    std::map<Daemon, std::string> by_vtysh(const std::string& script) {
        const std::string file = root_ + "/script.conf";
        EXPECT_TRUE(write_text(file, script));
        auto r = run_process({"vtysh", "--vty_socket", paths_.rundir(), "-f", file}, 30s);
        EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.error().message);
        return standins_->take();
    }

    static bool write_text(const std::string& path, const std::string& text) {
        FILE* f = std::fopen(path.c_str(), "w");
        if (f == nullptr)
            return false;
        const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
        return std::fclose(f) == 0 && ok;
    }

    // Whether send_delta routed `script` by the table; when it did, every daemon must have got
    // what vtysh sends it.
    bool same_as_vtysh(const std::string& label, const std::string& script) {
        const auto want = by_vtysh(script);
        auto route = send_delta(paths_, script);
        EXPECT_TRUE(route.ok()) << label << ": " << route.error().message;
        if (!route.ok() || *route != DeltaRoute::DaemonSockets) {
            standins_->take();  // vtysh's second run
            return false;
        }
        const auto got = standins_->take();
        for (Daemon d : kDaemons) {
            const auto w = want.find(d), g = got.find(d);
            EXPECT_EQ(w == want.end() ? "" : w->second, g == got.end() ? "" : g->second)
                << label << ": what " << to_string(d) << " was sent";
        }
        return true;
    }

    std::string root_;
    InstancePaths paths_;
    std::unique_ptr<StandIns> standins_;
};

bool has_raw_blocks(const Model& m) {
    return !m.raw.empty();
}

TEST_F(DaemonRoute, EveryGoldenConfigurationGoesWhereVtyshSendsIt) {
    for (const auto& nm : golden_models()) {
        const bool routed = same_as_vtysh(nm.name, render(nm.model));
        // Only raw_frr text is outside the table.
        EXPECT_EQ(routed, !has_raw_blocks(nm.model)) << nm.name;
    }
}

TEST_F(DaemonRoute, DeltasBetweenGoldensGoWhereVtyshSendsThem) {
    const std::string basic = render(golden_model("basic"));
    const std::string empty = render(golden_model("empty"));
    int routed = 0, scripts = 0;
    for (const auto& nm : golden_models()) {
        const std::string text = render(nm.model);
        for (const auto& [label, from, to] : {std::tuple{nm.name + ": basic -> it", basic, text},
                                              std::tuple{nm.name + ": it -> basic", text, basic},
                                              std::tuple{nm.name + ": it -> empty", text, empty}}) {
            const std::string script = delta(from, to);
            if (script.empty())
                continue;
            ++scripts;
            routed += same_as_vtysh(label, script) ? 1 : 0;
        }
    }
    // Most are routed by the table (all but raw_frr ones); the check above is then real.
    EXPECT_GT(routed, scripts * 3 / 4) << routed << " of " << scripts;
}

TEST(DaemonRouteTable, DeclinesWhatItDoesNotKnow) {
    EXPECT_FALSE(split_by_daemon("ip route 10.0.0.0/8 blackhole\n"));
    EXPECT_FALSE(split_by_daemon("route-map x permit 1\n set src 10.0.0.1\nexit\n"));
    EXPECT_FALSE(split_by_daemon("vrf red\n ip route 10.0.0.0/8 blackhole\nexit-vrf\n"));
    EXPECT_FALSE(split_by_daemon(" neighbor 10.0.0.1 remote-as 1\n"));  // outside any stanza
    EXPECT_FALSE(split_by_daemon("exit\n"));
    auto none = split_by_daemon("");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST(DaemonRouteTable, ZebraGoesFirstBgpdLast) {
    auto parts = split_by_daemon(
        "no router bgp 64514 vrf blue\nvrf blue\n no vni 200\nexit-vrf\nbfd\n profile p\n "
        "exit\nexit\n");
    ASSERT_TRUE(parts);
    std::vector<std::string> order;
    for (const auto& p : *parts)
        order.emplace_back(to_string(p.daemon));
    EXPECT_EQ(order, (std::vector<std::string>{"zebra", "staticd", "bfdd", "bgpd"}));
    EXPECT_EQ((*parts)[0].script, "vrf blue\n no vni 200\nexit-vrf\n");
    EXPECT_EQ((*parts)[1].script, "vrf blue\nexit-vrf\n");
    EXPECT_EQ((*parts)[3].script, "no router bgp 64514 vrf blue\n");
}

}  // namespace
}  // namespace perouter::frr::testing
