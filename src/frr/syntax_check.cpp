#include "frr/syntax_check.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace perouter::frr {
namespace {

using namespace std::chrono_literals;

constexpr auto kCheckTimeout = 120s;
constexpr const char* kProgram = "vtysh";

// /proc/self/fd/0 rather than /dev/stdin: a minimal /dev (a container's, early boot) may lack
// the symlink, /proc is always there for the namespaces.
std::vector<std::string> check_argv() {
    return {kProgram, "-C", "-f", "/proc/self/fd/0"};
}

Status verdict(const ProcessResult& r) {
    if (r.timed_out)
        return fail(std::string("vtysh -C did not finish in time"), ETIMEDOUT);
    if (r.exit_code == 127 && r.out.empty() && r.err.empty())
        return fail(Error{std::string("cannot run '") + kProgram + "'", ENOENT});
    if (r.exit_code != 0) {
        std::string out = r.out.empty() ? r.err : r.out;
        while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
            out.pop_back();
        if (out.empty())
            out = r.exit_code < 0 ? "vtysh -C was killed" : "vtysh -C failed without a message";
        return fail(out);
    }
    return {};
}

// The file execvpe() would run for kProgram, as stat() sees it; zeroed when there is none.
struct stat program_in_path() {
    struct stat st {};
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        size_t colon = dirs.find(':');
        std::string dir(dirs.substr(0, colon));
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
        std::string file = (dir.empty() ? std::string(".") : dir) + "/" + kProgram;
        if (::access(file.c_str(), X_OK) == 0 && ::stat(file.c_str(), &st) == 0)
            return st;
    }
    return {};
}

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

Status syntax_check(const std::string& config) {
    auto sp = spawn_process(check_argv(), Stdin::Pipe);
    if (!sp)
        return fail(std::move(sp).error());
    return verdict(communicate(*sp, config, kCheckTimeout));
}

SyntaxChecker::SyntaxChecker(SyntaxChecker&& o) noexcept
    : standby_(std::exchange(o.standby_, std::nullopt)), program_(o.program_) {}

SyntaxChecker& SyntaxChecker::operator=(SyntaxChecker&& o) noexcept {
    if (this != &o) {
        stop_standby();
        standby_ = std::exchange(o.standby_, std::nullopt);
        program_ = o.program_;
    }
    return *this;
}

SyntaxChecker::~SyntaxChecker() {
    stop_standby();
}

void SyntaxChecker::warm_up() {
    if (!standby_)
        start_standby();
}

void SyntaxChecker::start_standby() {
    program_ = program_in_path();
    auto sp = spawn_process(check_argv(), Stdin::Pipe);
    if (sp)
        standby_ = *sp;  // a failure shows at the next check, which starts its own vtysh
}

void SyntaxChecker::stop_standby() {
    if (!standby_)
        return;
    Spawned sp = *std::exchange(standby_, std::nullopt);
    ::kill(sp.pid, SIGKILL);
    (void)communicate(sp, {}, kCheckTimeout);  // closes the pipes, reaps it
}

std::optional<Spawned> SyntaxChecker::take_standby() {
    if (!standby_)
        return std::nullopt;
    int status = 0;
    if (::waitpid(standby_->pid, &status, WNOHANG) == standby_->pid) {
        // It exited and is reaped now: only its pipes are left.
        for (int fd : {standby_->in_fd, standby_->out_fd, standby_->err_fd})
            ::close(fd);
        standby_.reset();
        return std::nullopt;
    }
    if (!same_file(program_, program_in_path())) {
        stop_standby();
        return std::nullopt;
    }
    return std::exchange(standby_, std::nullopt);
}

Status SyntaxChecker::check(const std::string& config) {
    std::optional<ProcessResult> r;
    if (std::optional<Spawned> standby = take_standby()) {
        r = communicate(*standby, config, kCheckTimeout);
        if (r->exit_code < 0 && !r->timed_out)
            r.reset();  // it died before it read (killed meanwhile): not a verdict on the text
    }
    if (!r) {
        auto fresh = spawn_process(check_argv(), Stdin::Pipe);
        if (!fresh)
            return fail(std::move(fresh).error());
        r = communicate(*fresh, config, kCheckTimeout);
    }
    return verdict(*r);
}

}  // namespace perouter::frr
