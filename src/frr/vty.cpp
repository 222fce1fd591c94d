#include "frr/vty.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fd.hpp"

namespace perouter::frr {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

Status wait_for(int fd, short events, Clock::time_point deadline, const std::string& what) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0)
            return {};
        if (r == 0)
            return fail(fmt::format("{}: no answer in time", what), ETIMEDOUT);
        if (errno != EINTR)
            return fail(errno_error(errno, what));
    }
}

Status send_all(int fd, const std::string& data, Clock::time_point deadline,
                const std::string& what) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            off += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return fail(errno_error(errno, what));
        PEROUTER_TRY(wait_for(fd, POLLOUT, deadline, what));
    }
    return {};
}

// The output of one command and its status byte.
Result<std::pair<std::string, int>> read_answer(int fd, Clock::time_point deadline,
                                                const std::string& what) {
    std::string buf;
    char chunk[4096];
    for (;;) {
        if (auto status = vty_answer_status(buf)) {
            buf.resize(buf.size() - 4);
            return std::make_pair(std::move(buf), *status);
        }
        ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0) {
            buf.append(chunk, static_cast<size_t>(n));
            continue;
        }
        if (n == 0)
            return fail(fmt::format("{}: the daemon closed the connection", what), ECONNRESET);
        if (errno != EAGAIN && errno != EINTR)
            return fail(errno_error(errno, what));
        PEROUTER_TRY(wait_for(fd, POLLIN, deadline, what));
    }
}

// One command's status, or an error when the daemon did not answer.
Result<std::pair<std::string, int>> run_one(int fd, const std::string& command,
                                            Clock::time_point deadline,
                                            const std::string& socket_path) {
    const std::string what = fmt::format("'{}' on {}", command, socket_path);
    PEROUTER_TRY(send_all(fd, vty_command(command), deadline, what));
    return read_answer(fd, deadline, what);
}

std::string trimmed_output(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

constexpr int kCmdSuccess = 0;  // lib/command.h CMD_SUCCESS
constexpr int kCmdWarning = 1;  // CMD_WARNING: parsed, possibly already present

}  // namespace

Result<Fd> vty_connect(const std::string& socket_path, bool nonblocking) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
        return fail(fmt::format("{}: path too long for a socket", socket_path), ENAMETOOLONG);
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
    if (!fd.valid())
        return fail(errno_error(errno, "socket"));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return fail(errno_error(errno, socket_path));
    return fd;
}

std::string vty_command(std::string_view command) {
    std::string s(command);
    s += '\0';
    return s;
}

std::optional<int> vty_answer_status(std::string_view buf) {
    if (buf.size() < 4 || buf.compare(buf.size() - 4, 3, std::string_view("\0\0\0", 3)) != 0)
        return std::nullopt;
    return static_cast<unsigned char>(buf.back());
}

Status vty_accepts(const std::string& socket_path) {
    auto fd = vty_connect(socket_path);
    if (!fd)
        return fail(std::move(fd).error());
    return {};
}

Result<std::string> vty_query(const std::string& socket_path,
                              const std::vector<std::string>& commands,
                              std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    auto fd = vty_connect(socket_path);
    if (!fd)
        return fail(std::move(fd).error().context("connect"));
    std::string out;
    for (const std::string& command : commands) {
        auto answer = run_one(fd->get(), command, deadline, socket_path);
        if (!answer)
            return fail(std::move(answer).error());
        if (answer->second != kCmdSuccess)
            return fail(fmt::format("'{}' on {}: status {}: {}", command, socket_path,
                                    answer->second, trimmed_output(answer->first)));
        out = std::move(answer->first);
    }
    return out;
}

Status vty_configure(const std::string& socket_path, const std::string& script,
                     std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    auto fd = vty_connect(socket_path);
    if (!fd)
        return fail(std::move(fd).error().context("connect"));
    for (const char* enter : {"enable", "configure terminal", "XFRR_start_configuration"}) {
        auto answer = run_one(fd->get(), enter, deadline, socket_path);
        if (!answer)
            return fail(std::move(answer).error());
        if (answer->second != kCmdSuccess)
            return fail(fmt::format("'{}' on {}: status {}: {}", enter, socket_path, answer->second,
                                    trimmed_output(answer->first)));
    }
    Status first_failure;
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < script.size()) {
        size_t nl = script.find('\n', pos);
        std::string line = script.substr(pos, nl == std::string::npos ? nl : nl - pos);
        pos = nl == std::string::npos ? script.size() : nl + 1;
        ++line_no;
        if (line.find_first_not_of(' ') == std::string::npos || line[0] == '!')
            continue;
        auto answer = run_one(fd->get(), line, deadline, socket_path);
        if (!answer)
            return fail(std::move(answer).error());  // no answer: nothing more goes through
        if (answer->second != kCmdSuccess && answer->second != kCmdWarning && first_failure)
            first_failure =
                fail(fmt::format("line {}: '{}' on {}: status {}: {}", line_no, line, socket_path,
                                 answer->second, trimmed_output(answer->first)));
    }
    for (const char* leave : {"XFRR_end_configuration", "end"}) {
        auto answer = run_one(fd->get(), leave, deadline, socket_path);
        if (!answer)
            return fail(std::move(answer).error());
    }
    return first_failure;
}

}  // namespace perouter::frr
