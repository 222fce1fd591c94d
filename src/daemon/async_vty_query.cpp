#include "daemon/async_vty_query.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cerrno>

#include "frr/vty.hpp"

namespace perouter::daemon {

Result<std::unique_ptr<AsyncVtyQuery>> AsyncVtyQuery::start(sd_event* event,
                                                            const std::string& socket_path,
                                                            const std::string& command,
                                                            std::chrono::milliseconds timeout,
                                                            Done done) {
    std::unique_ptr<AsyncVtyQuery> q(
        new AsyncVtyQuery(fmt::format("'{}' on {}", command, socket_path), std::move(done)));
    auto fd = frr::vty_connect(socket_path, /*nonblocking=*/true);
    if (!fd) {
        // Answered like any other failure: from the loop, through `done`.
        q->refused_ = std::move(fd).error();
        if (int r = sd_event_add_defer(event, &q->defer_, on_refused, q.get()); r < 0)
            return fail(errno_error(-r, "schedule " + q->what_));
        return q;
    }
    q->fd_ = std::move(*fd);
    q->pending_ = frr::vty_command(command);
    if (int r = sd_event_add_io(event, &q->io_, q->fd_.get(), EPOLLIN | EPOLLOUT, on_io, q.get());
        r < 0)
        return fail(errno_error(-r, "watch " + q->what_));
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    if (int r = sd_event_add_time_relative(event, &q->timer_, CLOCK_MONOTONIC,
                                           static_cast<uint64_t>(usec), 0, on_timeout, q.get());
        r < 0)
        return fail(errno_error(-r, "time " + q->what_));
    return q;
}

AsyncVtyQuery::~AsyncVtyQuery() {
    io_ = sd_event_source_disable_unref(io_);
    timer_ = sd_event_source_disable_unref(timer_);
    defer_ = sd_event_source_disable_unref(defer_);
}

int AsyncVtyQuery::on_io(sd_event_source* s, int fd, uint32_t revents, void* self) {
    auto* q = static_cast<AsyncVtyQuery*>(self);
    if ((revents & EPOLLOUT) && !q->pending_.empty()) {
        ssize_t n = ::send(fd, q->pending_.data(), q->pending_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            q->finish(fail(errno_error(errno, q->what_)));
            return 0;
        }
        if (n > 0)
            q->pending_.erase(0, static_cast<size_t>(n));
        if (q->pending_.empty())
            sd_event_source_set_io_events(s, EPOLLIN);  // sent: only the answer is awaited
    }
    if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return 0;
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n < 0) {
        q->finish(fail(errno_error(errno, q->what_)));
        return 0;
    }
    if (n == 0) {
        q->finish(fail(fmt::format("{}: the daemon closed the connection", q->what_), ECONNRESET));
        return 0;
    }
    q->answer_.append(chunk, static_cast<size_t>(n));
    if (auto status = frr::vty_answer_status(q->answer_)) {
        q->answer_.resize(q->answer_.size() - 4);
        if (*status != 0)
            q->finish(
                fail(fmt::format("{}: status {}: {}", q->what_, *status, q->answer_), EINVAL));
        else
            q->finish(std::move(q->answer_));
    }
    return 0;
}

int AsyncVtyQuery::on_timeout(sd_event_source*, uint64_t, void* self) {
    auto* q = static_cast<AsyncVtyQuery*>(self);
    q->finish(fail(fmt::format("{}: no answer in time", q->what_), ETIMEDOUT));
    return 0;
}

int AsyncVtyQuery::on_refused(sd_event_source*, void* self) {
    auto* q = static_cast<AsyncVtyQuery*>(self);
    q->finish(fail(q->refused_));
    return 0;
}

void AsyncVtyQuery::finish(Result<std::string> r) {
    io_ = sd_event_source_disable_unref(io_);
    timer_ = sd_event_source_disable_unref(timer_);
    defer_ = sd_event_source_disable_unref(defer_);
    fd_.reset();
    finished_ = true;
    Done done = std::move(done_);
    done(std::move(r));
}

}  // namespace perouter::daemon
