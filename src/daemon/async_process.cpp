#include "daemon/async_process.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace perouter::daemon {

Result<std::unique_ptr<AsyncProcess>> AsyncProcess::start(sd_event* event,
                                                          const std::vector<std::string>& argv,
                                                          std::chrono::milliseconds timeout,
                                                          Done done) {
    std::unique_ptr<AsyncProcess> p(new AsyncProcess(argv.empty() ? "" : argv[0], done));
    auto sp = spawn_process(argv);
    if (!sp)
        return fail(std::move(sp).error());
    p->pid_ = sp->pid;
    p->fds_[0] = sp->out_fd;
    p->fds_[1] = sp->err_fd;
    for (int i = 0; i < 2; ++i) {
        if (int r = sd_event_add_io(event, &p->io_[i], p->fds_[i], EPOLLIN, on_out, p.get()); r < 0)
            return fail(errno_error(-r, "watch the output of " + p->program_));
    }
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    if (int r = sd_event_add_time_relative(event, &p->timer_, CLOCK_MONOTONIC,
                                           static_cast<uint64_t>(usec), 0, on_timeout, p.get());
        r < 0)
        return fail(errno_error(-r, "time " + p->program_));
    return p;
}

AsyncProcess::~AsyncProcess() {
    for (auto*& s : io_)
        s = sd_event_source_disable_unref(s);
    timer_ = sd_event_source_disable_unref(timer_);
    for (int& fd : fds_)
        if (fd >= 0)
            ::close(std::exchange(fd, -1));
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap_process(pid_, result_);
    }
}

int AsyncProcess::on_out(sd_event_source* s, int fd, uint32_t, void* self) {
    auto* p = static_cast<AsyncProcess*>(self);
    const int i = fd == p->fds_[0] ? 0 : 1;
    char buf[8192];
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (got > 0) {
        (i == 0 ? p->result_.out : p->result_.err).append(buf, static_cast<size_t>(got));
        return 0;
    }
    // EOF (or an error): this pipe is done.
    p->io_[i] = sd_event_source_disable_unref(s);
    ::close(std::exchange(p->fds_[i], -1));
    if (p->fds_[0] < 0 && p->fds_[1] < 0)
        p->finish();
    return 0;
}

int AsyncProcess::on_timeout(sd_event_source*, uint64_t, void* self) {
    auto* p = static_cast<AsyncProcess*>(self);
    if (p->pid_ > 0)
        ::kill(p->pid_, SIGKILL);
    p->result_.timed_out = true;
    for (int i = 0; i < 2; ++i) {
        p->io_[i] = sd_event_source_disable_unref(p->io_[i]);
        if (p->fds_[i] >= 0)
            ::close(std::exchange(p->fds_[i], -1));
    }
    p->finish();
    return 0;
}

void AsyncProcess::finish() {
    timer_ = sd_event_source_disable_unref(timer_);
    // Both pipes closed: the child exited or is about to (or was killed).
    reap_process(std::exchange(pid_, -1), result_);
    Done done = std::move(done_);
    if (result_.exit_code == 127 && result_.out.empty() && result_.err.empty())
        done(fail(Error{"cannot run '" + program_ + "'", ENOENT}));
    else
        done(std::move(result_));
}

}  // namespace perouter::daemon
