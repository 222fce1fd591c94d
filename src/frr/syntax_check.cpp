#include "frr/syntax_check.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
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

// What a waiting vtysh reads as soon as it starts: the first `router bgp`, `vrf` and `route-map`
// cost a vtysh ~4, ~1 and ~1 ms (FRR 8.4 on this project's 2-core machines: a check of an
// L2VNI's 8 lines went from ~7 to ~2.5 ms with these read ahead, an L3VNI's from ~12 to ~4 ms).
// vtysh -C checks syntax only and each of them returns to the configuration node, so they
// change no verdict; the line numbers in its messages are the check's own again (renumber()).
constexpr std::string_view kWarmUp =
    "router bgp 1\nexit\nvrf perouter-warm-up\nexit-vrf\n"
    "route-map perouter-warm-up permit 1\nexit\n";

size_t line_count(std::string_view text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// vtysh -C names a rejected line as "line N: ..." at the start of a message line, counting from
// the first line it read: `skipped` lines that were not the caller's come off N. Sets
// `rejected_skipped` when it names one of those (a vtysh that no longer takes kWarmUp).
std::string renumber(std::string_view out, size_t skipped, bool& rejected_skipped) {
    constexpr std::string_view kLine = "line ";
    std::string result;
    while (!out.empty()) {
        const size_t eol = out.find('\n');
        std::string_view line = out.substr(0, eol == std::string_view::npos ? out.size() : eol + 1);
        out.remove_prefix(line.size());
        if (line.starts_with(kLine)) {
            const char* first = line.data() + kLine.size();
            const char* end = line.data() + line.size();
            size_t n = 0;
            auto [last, ec] = std::from_chars(first, end, n);
            if (ec == std::errc() && last != end && *last == ':') {
                if (n <= skipped) {
                    rejected_skipped = true;
                } else {
                    result += fmt::format("line {}", n - skipped);
                    line.remove_prefix(static_cast<size_t>(last - line.data()));
                }
            }
        }
        result += line;
    }
    return result;
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
    if (!sp)
        return;  // a failure shows at the next check, which starts its own vtysh
    standby_ = *sp;
    // One that cannot take it (it died already) is replaced by the check.
    standby_read_ = feed(*sp, kWarmUp) ? line_count(kWarmUp) : 0;
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
        bool rejected_ahead = false;
        if (r->exit_code >= 0 || r->timed_out) {
            r->out = renumber(r->out, standby_read_, rejected_ahead);
            r->err = renumber(r->err, standby_read_, rejected_ahead);
        }
        // It died before it read (killed meanwhile), or it rejected what it read ahead (an FRR
        // whose parser no longer takes kWarmUp): not a verdict on the text.
        if ((r->exit_code < 0 && !r->timed_out) || rejected_ahead)
            r.reset();
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
