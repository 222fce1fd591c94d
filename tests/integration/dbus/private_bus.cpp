#include "private_bus.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace perouter::dbus::test {
namespace {

std::string config_text(const std::string& socket, const std::string& extra_policy) {
    return fmt::format(
        R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <!-- connecting: the test (root) and its unprivileged callers only -->
    <allow user="root"/>
    <allow user="nobody"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus.Debug.Stats"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.systemd1.Activator"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{shipped}</include>
  {extra}
</busconfig>
)",
        fmt::arg("socket", socket),
        fmt::arg("shipped",
                 std::string(PEROUTER_SOURCE_DIR) + "/dist/dbus/org.openperouter.Router1.conf"),
        fmt::arg("extra", extra_policy));
}

}  // namespace

Result<std::unique_ptr<PrivateBus>> PrivateBus::start(const std::string& extra_policy) {
    std::unique_ptr<PrivateBus> bus(new PrivateBus());
    char tmpl[] = "/tmp/perouter-dbus-XXXXXX";
    if (mkdtemp(tmpl) == nullptr)
        return fail(errno_error(errno, "mkdtemp"));
    bus->dir_ = tmpl;
    // Searchable but not listable: unprivileged test callers (nobody) must reach the socket;
    // the bus configuration decides who may connect.
    if (chmod(tmpl, 0711) != 0)
        return fail(errno_error(errno, "chmod"));
    std::string config = bus->dir_ + "/bus.conf";
    std::ofstream(config) << config_text(bus->dir_ + "/bus", extra_policy);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return fail(errno_error(errno, "pipe"));
    std::string print_address = fmt::format("--print-address={}", 3);
    std::string config_arg = "--config-file=" + config;
    // The daemon's complaints (e.g. it cannot raise its fd limit here) go to a log, shown when
    // it fails to start.
    std::string log = bus->dir_ + "/daemon.log";
    std::vector<char*> argv{const_cast<char*>("dbus-daemon"), config_arg.data(),
                            const_cast<char*>("--nofork"), print_address.data(), nullptr};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return fail(errno_error(errno, "fork"));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        dup2(fds[1], 3);  // dup2 clears O_CLOEXEC on the copy
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        int logfd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (logfd >= 0)
            dup2(logfd, 2);
        execvp("dbus-daemon", argv.data());
        _exit(127);
    }
    bus->pid_ = pid;
    close(fds[1]);

    std::string address;
    char buf[512];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (address.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fds[0], POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
            break;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        address.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    auto nl = address.find('\n');
    if (nl == std::string::npos) {
        std::ifstream f(log);
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        return fail("dbus-daemon did not print its address: " + text);
    }
    bus->address_ = address.substr(0, nl);
    return bus;
}

PrivateBus::~PrivateBus() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

}  // namespace perouter::dbus::test
