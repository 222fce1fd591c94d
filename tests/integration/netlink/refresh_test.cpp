// The silent-workload refresh (daemon/neighbour_refresher.hpp) against the real kernel, as
// perouterd runs it on its event loop, without a VRF (this kernel may have none): a bridge
// br-pe-5 with a gateway address in a scratch namespace rlr-<pid>-r plays the router side of an
// L2VNI, a veth port leads to a workload in rlr-<pid>-w that announces itself with one ping and
// then sends nothing. In perouterd the bridge is also a port of the L2VNI's VRF; the neighbour
// and FDB tables the refresh reads and the probe it asks for are the bridge's either way.
//
// What happens is watched with iproute2 (`ip monitor neigh`, `bridge fdb`, `ip neigh`), not
// with the code under test: without the refresh the workload's FDB entry ages out and its
// neighbour stays STALE; with it the FDB entry never gets older than the ageing time, a
// neighbour that goes STALE is probed at once (the kernel's PROBE), and the probes come at the
// pace the ageing time sets, not in a loop.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/neighbour_refresher.hpp"
#include "netlink/namespaces.hpp"

namespace perouter::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kBridge = "br-pe-5";
constexpr const char* kGateway = "10.55.0.1";
constexpr const char* kWorkload = "10.55.0.10";
constexpr const char* kGateway6 = "fd00:55::1";
constexpr const char* kWorkload6 = "fd00:55::10";
constexpr const char* kRemote = "10.55.0.77";  // an EVPN host zebra would install
constexpr int kDefaultAgeingCs = 30000;        // the bridge default, 300 s (centiseconds)

int sh(const std::string& cmd) {
    int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    EXPECT_EQ(rc, 0) << cmd;
    return rc;
}

std::string capture(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
    if (p == nullptr)
        return out;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        out.append(buf, n);
    pclose(p);
    return out;
}

nlohmann::json json_of(const std::string& cmd) {
    auto j = nlohmann::json::parse(capture(cmd), nullptr, false);
    return j.is_array() ? j : nlohmann::json::array();
}

// Polls `cond` every 100 ms until it holds or `timeout` passes.
bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
        if (cond())
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return cond();
}

// `ip -ts monitor neigh` in a namespace, written to a file, for as long as it lives.
class NeighbourLog {
  public:
    explicit NeighbourLog(const std::string& ns) {
        char path[] = "/tmp/rlr-monitor-XXXXXX";
        int fd = mkstemp(path);
        path_ = path;
        pid_ = fork();
        if (pid_ == 0) {
            dup2(fd, STDOUT_FILENO);
            execlp("ip", "ip", "-n", ns.c_str(), "-ts", "monitor", "neigh", nullptr);
            _exit(127);
        }
        close(fd);
        // `ip monitor` has subscribed once it answers nothing more to wait for: give it a moment.
        std::this_thread::sleep_for(300ms);
    }
    ~NeighbourLog() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        unlink(path_.c_str());
    }

    struct Line {
        double t = 0;  // seconds of the day
        std::string ip;
        std::string state;  // the last word: STALE, PROBE, REACHABLE, ...
    };

    // The lines about IP neighbours on the bridge (not FDB entries).
    std::vector<Line> lines() const {
        std::vector<Line> out;
        std::ifstream in(path_);
        std::string s;
        while (std::getline(in, s)) {
            int h = 0, m = 0;
            double sec = 0;
            if (s.size() < 30 ||
                std::sscanf(s.c_str(), "[%*d-%*d-%*dT%d:%d:%lf]", &h, &m, &sec) != 3)
                continue;
            std::istringstream words(s.substr(s.find(']') + 1));
            std::vector<std::string> w;
            for (std::string x; words >> x;)
                w.push_back(x);
            if (w.size() < 4 || w[0] == "dev" || w[0] == "Deleted" || w[1] != "dev" ||
                w[2] != kBridge)
                continue;
            out.push_back(Line{h * 3600.0 + m * 60.0 + sec, w[0], w.back()});
        }
        return out;
    }

    int count(const std::string& ip, const std::string& state) const {
        int n = 0;
        for (const auto& l : lines())
            n += l.ip == ip && l.state == state;
        return n;
    }

    std::string text() const {
        std::ifstream in(path_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

  private:
    std::string path_;
    pid_t pid_ = -1;
};

// perouterd's loop, on a thread of its own, with the refresh watching kBridge.
class Running {
  public:
    explicit Running(const std::string& router_ns) {
        sd_event_new(&event_);
        auto ns = netlink::Namespaces::open(router_ns);
        EXPECT_TRUE(ns.ok()) << ns.error().message;
        ns_.emplace(std::move(*ns));
        refresher_.emplace(event_, *ns_);
        refresher_->watch({kBridge});
        thread_ = std::thread([this] {
            while (!stop_)
                sd_event_run(event_, 100'000);
        });
    }
    ~Running() {
        stop_ = true;
        thread_.join();
        refresher_.reset();
        sd_event_unref(event_);
    }

  private:
    sd_event* event_ = nullptr;
    std::optional<netlink::Namespaces> ns_;
    std::optional<NeighbourRefresher> refresher_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class Refresh : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root";
        spdlog::set_level(spdlog::level::debug);
        TearDown();
    }
    void TearDown() override {
        for (const auto& n : {r_, w_})
            std::system(("ip netns del " + n + " >/dev/null 2>&1").c_str());
    }

    void in(const std::string& ns, const std::string& cmd) {
        sh("ip netns exec " + ns + " " + cmd);
    }

    // The router side and the workload; `ageing_cs` is the bridge's ageing time in centiseconds
    // (as `ip link ... ageing_time` takes it). The neighbour timers of the bridge are shortened
    // (REACHABLE for 2 to 6 s, DELAY 1 s) so that entries go STALE within seconds.
    void build(int ageing_cs, bool ipv6) {
        sh("ip netns add " + r_);
        sh("ip netns add " + w_);
        in(r_, "ip link set lo up");
        in(r_, fmt::format("ip link add {} type bridge ageing_time {}", kBridge, ageing_cs));
        // Neighbour solicitations go out from the bridge's link-local address (perouterd's L2
        // bridges keep theirs), usable at once without duplicate address detection.
        if (ipv6)
            in(r_, fmt::format("sysctl -qw net.ipv6.conf.{}.accept_dad=0", kBridge));
        else
            in(r_, fmt::format("ip link set {} addrgenmode none", kBridge));
        for (const char* fam : {"ipv4", "ipv6"})
            in(r_, fmt::format("sysctl -qw net.{0}.neigh.{1}.base_reachable_time_ms=4000 "
                               "net.{0}.neigh.{1}.delay_first_probe_time=1",
                               fam, kBridge));
        in(r_, fmt::format("ip addr add {}/24 dev {}", kGateway, kBridge));
        if (ipv6)
            in(r_, fmt::format("ip addr add {}/64 dev {} nodad", kGateway6, kBridge));
        sh(fmt::format("ip link add pe-e-5 netns {} type veth peer name wl netns {}", r_, w_));
        in(r_, fmt::format("ip link set pe-e-5 addrgenmode none master {} up", kBridge));
        in(r_, fmt::format("ip link set {} up", kBridge));
        // Silent: no IPv6 at all, or no router solicitations and no link-local address.
        if (ipv6)
            in(w_,
               "sysctl -qw net.ipv6.conf.all.router_solicitations=0 "
               "net.ipv6.conf.default.router_solicitations=0 "
               "net.ipv6.conf.wl.router_solicitations=0");
        else
            in(w_,
               "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
        in(w_, "ip link set lo up");
        if (ipv6)
            in(w_, "ip link set wl addrgenmode none");
        in(w_, fmt::format("ip addr add {}/24 dev wl", kWorkload));
        if (ipv6)
            in(w_, fmt::format("ip addr add {}/64 dev wl nodad", kWorkload6));
        in(w_, "ip link set wl up");
        auto link = json_of(fmt::format("ip -j -n {} link show wl", w_));
        ASSERT_EQ(link.size(), 1u);
        mac_ = link[0].value("address", "");
        // The workload announces itself once, as upstream's e2e test has it do.
        in(w_, fmt::format("ping -c 1 -W 2 {}", kGateway));
        if (ipv6)
            in(w_, fmt::format("ping -6 -c 1 -W 2 {}", kGateway6));
    }

    std::string neighbour(const std::string& ip) {
        auto j = json_of(fmt::format("ip -j -n {} neigh show {} dev {}", r_, ip, kBridge));
        if (j.empty() || !j[0].contains("state") || j[0]["state"].empty())
            return "absent";
        return j[0]["state"][0].get<std::string>();
    }

    // Seconds since the bridge last saw a frame from the workload, nullopt without an entry.
    std::optional<int> fdb_age() {
        for (const auto& e : json_of(fmt::format("bridge -j -s -n {} fdb show br {}", r_, kBridge)))
            if (e.value("mac", "") == mac_ && e.value("master", "") == kBridge)
                return e.value("updated", -1);
        return std::nullopt;
    }

    std::string r_ = fmt::format("rlr-{}-r", getpid());
    std::string w_ = fmt::format("rlr-{}-w", getpid());
    std::string mac_;
};

// The control: the lab setup is silent, and a silent workload loses its FDB entry after the
// ageing time (zebra would withdraw its type-2 routes) while its neighbour sits in STALE.
TEST_F(Refresh, SilentWorkloadAgesOutWithoutTheRefresh) {
    build(400, false);  // 4 s
    ASSERT_NE(mac_, "");
    EXPECT_TRUE(wait_for([&] { return fdb_age().has_value(); }, 5s)) << "FDB entry never learned";
    EXPECT_TRUE(wait_for([&] { return !fdb_age() && neighbour(kWorkload) == "STALE"; }, 20s))
        << "FDB age " << fdb_age().value_or(-1) << ", neighbour " << neighbour(kWorkload);
    std::this_thread::sleep_for(3s);  // and nothing brings it back
    EXPECT_FALSE(fdb_age().has_value());
    EXPECT_EQ(neighbour(kWorkload), "STALE");
}

// With an ageing time of 4 s the refresh probes the workload whenever its FDB entry is 2 s old:
// for four ageing times the entry is there and never older than the ageing time, and the probes
// come about every 2 s (at most one a second: no busy loop).
TEST_F(Refresh, KeepsTheSilentWorkloadsFdbEntryFresh) {
    build(400, false);
    ASSERT_NE(mac_, "");
    NeighbourLog log(r_);
    Running refresh(r_);
    ASSERT_TRUE(wait_for([&] { return fdb_age().has_value(); }, 5s));
    auto start = Clock::now();
    int samples = 0;
    while (Clock::now() - start < 16s) {
        auto age = fdb_age();
        ASSERT_TRUE(age.has_value())
            << "FDB entry aged out after "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s\n"
            << log.text();
        EXPECT_LT(*age, 4) << "FDB entry as old as the ageing time";
        std::string st = neighbour(kWorkload);
        EXPECT_TRUE(st == "REACHABLE" || st == "STALE" || st == "DELAY" || st == "PROBE") << st;
        ++samples;
        std::this_thread::sleep_for(250ms);
    }
    int probes = log.count(kWorkload, "PROBE");
    EXPECT_GE(probes, 4) << log.text();
    EXPECT_LE(probes, 17) << log.text();
    EXPECT_GT(samples, 30);
}

// With the default ageing time (300 s: the FDB rule would wait 150 s) a neighbour that goes
// STALE is probed on the kernel's notification, within the settle time, IPv4 and IPv6 alike;
// an externally learned neighbour (zebra's remote hosts) is left alone, flags included.
TEST_F(Refresh, StaleNeighbourIsProbedOnItsNotification) {
    build(kDefaultAgeingCs, true);
    in(r_, fmt::format("ip neigh add {} lladdr 02:00:00:00:00:77 dev {} nud stale extern_learn",
                       kRemote, kBridge));
    NeighbourLog log(r_);
    Running refresh(r_);

    // A STALE line followed by the PROBE of the refresh, for both addresses.
    auto probed_after_stale = [&](const std::string& ip) -> std::optional<double> {
        std::optional<double> stale;
        for (const auto& l : log.lines()) {
            if (l.ip != ip)
                continue;
            if (l.state == "STALE")
                stale = l.t;
            else if (l.state == "PROBE" && stale)
                return l.t - *stale;
        }
        return std::nullopt;
    };
    for (const char* ip : {kWorkload, kWorkload6}) {
        std::optional<double> delay;
        EXPECT_TRUE(wait_for([&] { return (delay = probed_after_stale(ip)).has_value(); }, 25s))
            << ip << " never probed after going STALE\n"
            << log.text();
        if (delay) {
            EXPECT_LT(*delay, 1.5) << ip << ": probed " << *delay << " s after going STALE";
        }
    }
    // The workload answered the probe: its entry became REACHABLE after it. With this test's
    // timers it goes STALE again 2 to 6 s later, so its state at one moment is not the
    // question (asking that failed when the IPv6 probe came late: seen twice in four runs).
    auto reachable_after_probe = [&](const std::string& ip) {
        bool probed = false;
        for (const auto& l : log.lines()) {
            if (l.ip != ip)
                continue;
            if (l.state == "PROBE")
                probed = true;
            else if (probed && l.state == "REACHABLE")
                return true;
        }
        return false;
    };
    for (const char* ip : {kWorkload, kWorkload6})
        EXPECT_TRUE(wait_for([&] { return reachable_after_probe(ip); }, 5s))
            << ip << " not REACHABLE after its probe\n"
            << log.text();

    EXPECT_EQ(log.count(kRemote, "PROBE"), 0) << log.text();
    auto remote = json_of(fmt::format("ip -j -n {} neigh show {} dev {}", r_, kRemote, kBridge));
    ASSERT_EQ(remote.size(), 1u);
    EXPECT_EQ(remote[0]["state"][0], "STALE");
    EXPECT_NE(remote[0].dump().find("extern_learn"), std::string::npos) << remote[0].dump();
}

}  // namespace
}  // namespace perouter::daemon
