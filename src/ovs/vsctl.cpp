#include "ovs/vsctl.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/process.hpp"

namespace perouter::ovs {

namespace {

constexpr std::string_view kUnix = "unix:";

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

}  // namespace

std::string database_problem(std::string_view remote) {
    if (!remote.starts_with(kUnix))
        return "must be unix:PATH";
    std::string_view path = remote.substr(kUnix.size());
    if (path.empty() || path.front() != '/')
        return "the socket path must be absolute";
    return "";
}

Status Vsctl::reachable() const {
    std::string path = database_.substr(std::min(database_.size(), kUnix.size()));
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return fail(fmt::format("Open vSwitch is not running: no database socket {} ({})", path,
                                std::strerror(errno)),
                    errno);
    if (!S_ISSOCK(st.st_mode))
        return fail(fmt::format("Open vSwitch database {} is not a socket", path), ENOTSOCK);
    return {};
}

std::vector<std::string> Vsctl::argv(const std::vector<std::string>& commands) const {
    std::vector<std::string> out{"ovs-vsctl", "--db=" + database_,
                                 fmt::format("--timeout={}", kTimeout.count())};
    out.insert(out.end(), commands.begin(), commands.end());
    return out;
}

Result<std::string> Vsctl::run(const std::vector<std::string>& commands) const {
    PEROUTER_TRY(reachable());
    auto r = run_process(argv(commands), kTimeout + std::chrono::seconds(3));
    if (!r) {
        if (r.error().code == ENOENT)
            return fail("cannot run ovs-vsctl (is openvswitch-common installed?)", ENOENT);
        return fail(std::move(r).error().context("ovs-vsctl"));
    }
    if (r->timed_out || r->exit_code != 0) {
        std::string msg = trimmed(r->err.empty() ? r->out : r->err);
        if (msg.empty())
            msg = r->timed_out ? "timed out" : fmt::format("exit {}", r->exit_code);
        return fail(msg.starts_with("ovs-vsctl") ? msg : "ovs-vsctl: " + msg);
    }
    return std::move(r->out);
}

}  // namespace perouter::ovs
