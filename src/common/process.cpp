#include "common/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/fd.hpp"

namespace perouter {

Result<Spawned> spawn_process(const std::vector<std::string>& argv, Stdin in) {
    if (argv.empty())
        return fail(std::string("spawn_process: empty command"));
    int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return fail(errno_error(errno, "pipe"));
    Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
    if (pipe2(err_pipe, O_CLOEXEC) != 0)
        return fail(errno_error(errno, "pipe"));
    Fd err_r(err_pipe[0]), err_w(err_pipe[1]);
    if (in == Stdin::Pipe && pipe2(in_pipe, O_CLOEXEC) != 0)
        return fail(errno_error(errno, "pipe"));
    Fd in_r(in_pipe[0]), in_w(in_pipe[1]);

    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // The service manager's notification socket is ours alone: a child that inherits it (FRR's
    // watchfrr sends READY=1 on its own) would tell the manager we are ready when we are not.
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view v(*e);
        if (v.starts_with("NOTIFY_SOCKET=") || v.starts_with("WATCHDOG_PID=") ||
            v.starts_with("WATCHDOG_USEC="))
            continue;
        env.push_back(*e);
    }
    env.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0)
        return fail(errno_error(errno, "fork"));
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
        int stdin_fd = in_r.valid() ? in_r.get() : ::open("/dev/null", O_RDONLY);
        if (stdin_fd >= 0)
            dup2(stdin_fd, 0);
        dup2(out_w.get(), 1);
        dup2(err_w.get(), 2);
        execvpe(args[0], args.data(), env.data());
        _exit(127);
    }
    Spawned sp{pid, in_w.release(), out_r.release(), err_r.release()};
    return sp;
}

void reap_process(int pid, ProcessResult& r) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!r.timed_out && WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
}

namespace {

// SIGPIPE blocked for this thread while writing to a child that may have exited; a SIGPIPE the
// writes raised is taken off the pending set before the old mask returns (one that was pending
// already is left alone).
class NoSigpipe {
  public:
    NoSigpipe() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~NoSigpipe() {
        if (raised_ && !was_pending_) {
            timespec zero{};
            while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    NoSigpipe(const NoSigpipe&) = delete;
    NoSigpipe& operator=(const NoSigpipe&) = delete;
    void raised() { raised_ = true; }

  private:
    sigset_t pipe_{}, old_{};
    bool was_pending_ = false;
    bool raised_ = false;
};

}  // namespace

Status feed(const Spawned& sp, std::string_view input) {
    if (sp.in_fd < 0)
        return fail(std::string("the child has no stdin pipe"));
    NoSigpipe no_sigpipe;
    const int flags = ::fcntl(sp.in_fd, F_GETFL);
    ::fcntl(sp.in_fd, F_SETFL, flags | O_NONBLOCK);
    ssize_t put = ::write(sp.in_fd, input.data(), input.size());
    const int e = errno;
    ::fcntl(sp.in_fd, F_SETFL, flags);
    if (put < 0 && e == EPIPE)
        no_sigpipe.raised();
    if (put < 0)
        return fail(errno_error(e, "write to the child"));
    if (static_cast<size_t>(put) != input.size())
        return fail(std::string("the child's stdin pipe is full"));
    return {};
}

bool output_closed(const Spawned& sp) {
    std::array<pollfd, 2> fds{{{sp.out_fd, 0, 0}, {sp.err_fd, 0, 0}}};
    if (::poll(fds.data(), fds.size(), 0) < 0)
        return false;
    // A closed pipe reports POLLHUP even while it still holds unread bytes; a negative fd
    // (none) is skipped by poll() and reports nothing.
    const auto closed = [](const pollfd& p) { return p.fd < 0 || (p.revents & POLLHUP) != 0; };
    return closed(fds[0]) && closed(fds[1]);
}

ProcessResult communicate(Spawned& sp, std::string_view input, std::chrono::milliseconds timeout) {
    Fd in_w(std::exchange(sp.in_fd, -1)), out_r(std::exchange(sp.out_fd, -1)),
        err_r(std::exchange(sp.err_fd, -1));
    ProcessResult r;
    NoSigpipe no_sigpipe;
    if (in_w.valid()) {
        ::fcntl(in_w.get(), F_SETFL, ::fcntl(in_w.get(), F_GETFL) | O_NONBLOCK);
        if (input.empty())
            in_w.reset();
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 8192> buf{};
    while (out_r.valid() || err_r.valid()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(sp.pid, SIGKILL);
            r.timed_out = true;
            break;
        }
        pollfd fds[3] = {{out_r.valid() ? out_r.get() : -1, POLLIN, 0},
                         {err_r.valid() ? err_r.get() : -1, POLLIN, 0},
                         {in_w.valid() ? in_w.get() : -1, POLLOUT, 0}};
        int n = poll(fds, 3, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = ::read(fds[i].fd, buf.data(), buf.size());
            if (got > 0)
                (i == 0 ? r.out : r.err).append(buf.data(), static_cast<size_t>(got));
            else if (got == 0 || errno != EINTR)
                (i == 0 ? out_r : err_r).reset();
        }
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t put = ::write(in_w.get(), input.data(), input.size());
            if (put > 0)
                input.remove_prefix(static_cast<size_t>(put));
            else if (put < 0 && errno == EPIPE)
                no_sigpipe.raised();
            if (input.empty() || (put < 0 && errno != EAGAIN && errno != EINTR))
                in_w.reset();  // all of it, or the child stopped reading: it sees EOF
        }
    }
    if (int pid = std::exchange(sp.pid, -1); pid > 0)
        reap_process(pid, r);
    return r;
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) {
    auto sp = spawn_process(argv);
    if (!sp)
        return fail(std::move(sp).error());
    ProcessResult r = communicate(*sp, {}, timeout);
    if (r.exit_code == 127 && r.out.empty() && r.err.empty())
        return fail(Error{"cannot run '" + argv[0] + "'", ENOENT});
    return r;
}

bool process_alive(int pid) {
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int read_pid_file(const std::string& path) {
    std::ifstream f(path);
    int pid = 0;
    if (!(f >> pid) || pid <= 0)
        return 0;
    return pid;
}

Status write_all(int fd, std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(errno_error(errno, "write"));
        done += static_cast<size_t>(n);
    }
    return {};
}

Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode,
                         Durability durability) {
    // The temporary is hidden (readers of configuration directories skip dot files), has an
    // unpredictable name and is created exclusively (mkostemp: O_EXCL, mode 0600), so nobody
    // can plant a symlink or a file for us to write through before the data is in place.
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string tmp = dir + "/." + base + ".XXXXXX";
    Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
    if (!fd.valid())
        return fail(errno_error(errno, "create a temporary file for '" + path + "'"));
    if (Status w = write_all(fd.get(), data); !w) {
        ::unlink(tmp.c_str());
        return fail(errno_error(w.error().code, "write '" + tmp + "'"));
    }
    // fchmod: the umask must not weaken or widen the mode the caller asked for.
    if (fchmod(fd.get(), mode) != 0 || (durability == Durability::Synced && fsync(fd.get()) != 0)) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail(errno_error(e, "sync '" + tmp + "'"));
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail(errno_error(e, "rename to '" + path + "'"));
    }
    return {};
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return fail(errno_error(errno ? errno : ENOENT, "read '" + path + "'"));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace perouter
