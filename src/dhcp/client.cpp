#include "dhcp/client.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/process.hpp"

namespace perouter::dhcp {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDhcpcd = "/usr/sbin/dhcpcd";
constexpr const char* kLinkVar = "PEROUTER_DHCP_LINK=";

Status make_dir(const std::string& path, fs::perms perms) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (!ec)
        fs::permissions(path, perms, ec);
    if (ec)
        return fail(Error{fmt::format("create '{}': {}", path, ec.message()), ec.value()});
    return {};
}

}  // namespace

std::vector<std::string> client_args(const std::string& link) {
    return {
        "--config",     "/dev/null",  // none of the host's dhcpcd.conf
        "--ipv4only",   "--noipv4ll",
        "--nogateway",                // the router's routes come from BGP
        "--persistent",               // the address stays when dhcpcd exits
        "--timeout",    "0",          // keep asking until a server answers
        "--script",     "/bin/true",  // no hooks: resolv.conf, host name, NTP are the host's
        link,
    };
}

std::string environment_file(const std::string& link) {
    std::string args;
    for (const auto& a : client_args(link))
        args += (args.empty() ? "" : " ") + a;
    return fmt::format(
        "# Written by perouterd for perouter-dhcp@.service; rewritten at every start.\n{}{}\n"
        "PEROUTER_DHCP_ARGS={}\n",
        kLinkVar, link, args);
}

Client::Client(ClientPaths paths, Launcher launcher)
    : paths_(std::move(paths)), launcher_(launcher) {}

std::string Client::unit() const {
    return "perouter-dhcp@" + paths_.netns + ".service";
}

std::string Client::link() const {
    auto text = read_file(paths_.env_file());
    if (!text)
        return {};
    const std::string_view var(kLinkVar);
    size_t at = text->find("\n" + std::string(var));
    if (at == std::string::npos)
        return {};
    at += 1 + var.size();
    return text->substr(at, text->find('\n', at) - at);
}

std::string Client::pid_file() const {
    const std::string l = link();
    return l.empty() ? std::string() : paths_.pid_file(l);
}

Client::State Client::state() const {
    const std::string l = link();
    if (l.empty())
        return State::Stopped;
    int pid = read_pid_file(paths_.pid_file(l));
    if (!process_alive(pid)) {
        // Under systemd the unit may be starting, before dhcpcd wrote its pid file.
        if (launcher_ == Launcher::Systemd && !unit_settled(unit()))
            return State::Running;
        return State::Stopped;
    }
    return process_in_netns(pid, paths_.netns) ? State::Running : State::WrongNamespace;
}

Status Client::start(const std::string& link) {
    PEROUTER_TRY(make_dir(paths_.rundir(), fs::perms::owner_all | fs::perms::group_read |
                                               fs::perms::group_exec | fs::perms::others_read |
                                               fs::perms::others_exec));
    PEROUTER_TRY(make_dir(paths_.leasedir(), fs::perms::owner_all));
    PEROUTER_TRY(write_file_atomic(paths_.env_file(), environment_file(link), 0644));
    if (launcher_ == Launcher::Systemd) {
        if (!unit_file_installed("perouter-dhcp@.service"))
            return fail("DHCP on the macvlan underlay: perouter-dhcp@.service is not installed");
        PEROUTER_TRY(check_unit_namespace(unit(), paths_.netns,
                                          "the unit file perouter-dhcp@.service was changed"));
        return start_unit(unit());
    }
    return start_direct(link);
}

Status Client::start_direct(const std::string& link) {
    if (!fs::exists(kDhcpcd))
        return fail(
            fmt::format("DHCP on the macvlan underlay needs {} (Debian package "
                        "dhcpcd-base)",
                        kDhcpcd));
    // dhcpcd's directories are compiled in: its own mount namespace (a slave of the host's,
    // nothing propagates back) puts ours on them. Paths go as positional parameters.
    std::error_code ec;
    fs::create_directories("/run/dhcpcd", ec);
    fs::create_directories("/var/lib/dhcpcd", ec);
    std::vector<std::string> argv{
        "ip",
        "netns",
        "exec",
        paths_.netns,
        "unshare",
        "--mount",
        "--propagation",
        "slave",
        "sh",
        "-ec",
        "mount --bind \"$1\" /run/dhcpcd && mount --bind \"$2\" /var/lib/dhcpcd && shift 2 && "
        "exec \"$@\"",
        "dhcp-start",
        paths_.rundir(),
        paths_.leasedir(),
        kDhcpcd,
        "--background",
        "--logfile",
        paths_.log_file(),
    };
    for (auto& a : client_args(link))
        argv.push_back(std::move(a));
    auto r = run_process(argv, 30s);
    if (!r)
        return fail(std::move(r).error().context("start the DHCP client"));
    if (r->exit_code != 0)
        return fail(fmt::format("start the DHCP client in namespace '{}' failed (exit {}): {}",
                                paths_.netns, r->exit_code, r->err.empty() ? r->out : r->err));
    return {};
}

Status Client::stop() {
    if (launcher_ == Launcher::Systemd)
        PEROUTER_TRY(stop_unit(unit()));
    const std::string l = link();
    if (l.empty())
        return {};
    // dhcpcd's manager process; its helpers (privileged, network and control proxies) follow it.
    int pid = read_pid_file(paths_.pid_file(l));
    if (!process_alive(pid))
        return {};
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 250 && process_alive(pid); ++i)
        std::this_thread::sleep_for(20ms);
    if (process_alive(pid)) {
        ::kill(pid, SIGKILL);
        for (int i = 0; i < 100 && process_alive(pid); ++i)
            std::this_thread::sleep_for(20ms);
    }
    if (process_alive(pid))
        return fail(fmt::format("the DHCP client (pid {}) does not exit", pid));
    return {};
}

Status Client::remove_files() {
    std::error_code ec;
    fs::remove_all(paths_.rundir(), ec);
    if (ec)
        return fail(
            Error{fmt::format("remove '{}': {}", paths_.rundir(), ec.message()), ec.value()});
    return {};
}

}  // namespace perouter::dhcp
