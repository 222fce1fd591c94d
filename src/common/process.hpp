// Running helper programs (ip, vtysh) and collecting what they print. No shell is involved:
// arguments are passed as a vector, so names from the configuration cannot inject commands.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace perouter {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal or timed out
    bool timed_out = false;
    std::string out;  // stdout
    std::string err;  // stderr
};

/// Runs argv[0] (searched in PATH) with the arguments and waits for it, killing it after
/// `timeout`. Fails only when the program could not be started at all.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// A child started by spawn_process(): its pid, the write end of its stdin when it has a pipe
/// there (else -1), and the read ends of its stdout and stderr (all close-on-exec; the caller
/// closes them and reaps the pid, or hands them to communicate()).
struct Spawned {
    int pid = -1;
    int in_fd = -1;
    int out_fd = -1;
    int err_fd = -1;
};

/// What a spawned child reads: nothing (/dev/null), or a pipe the caller writes.
enum class Stdin { Null, Pipe };

/// Starts argv[0] (searched in PATH) without the service manager's notification variables, and
/// returns at once. run_process() is this plus communicate().
Result<Spawned> spawn_process(const std::vector<std::string>& argv, Stdin in = Stdin::Null);

/// Feeds `input` to the child's stdin (when it has a pipe there; then closes it), collects its
/// stdout and stderr until it closes them, kills it after `timeout`, and reaps it. Closes every
/// descriptor of `sp`. A child that stops reading early does not raise SIGPIPE here.
ProcessResult communicate(Spawned& sp, std::string_view input, std::chrono::milliseconds timeout);

/// Whether nobody holds the write ends of the child's stdout and stderr any more: it exited
/// (and nothing it started kept them), so communicate() returns at once. Never blocks.
bool output_closed(const Spawned& sp);
/// Writes `input` to the child's stdin pipe and leaves it open: the first part of what a later
/// communicate() completes. Only what fits in the pipe at once (a child that has not read yet
/// holds at least PIPE_BUF bytes); a child that exited does not raise SIGPIPE here.
Status feed(const Spawned& sp, std::string_view input);

/// Waits for a spawned child and fills in its exit code (-1 when a signal ended it). Only for
/// a child that closed its output (or was killed): this may block until it exits.
void reap_process(int pid, ProcessResult& r);

/// True when a process with this pid exists (signal 0 succeeds or fails with EPERM).
bool process_alive(int pid);

/// Reads a pid file; 0 when missing or malformed.
int read_pid_file(const std::string& path);

/// Writes all of `data` to an open descriptor (retrying short writes and EINTR).
Status write_all(int fd, std::string_view data);

/// Whether a written file must survive a power loss. A file that nothing reads after a reboot
/// (anything under /run, and what perouterd writes anew before anyone reads it after a boot)
/// is not synced: fsync buys it nothing and costs a change a disk flush (~1 ms and more).
/// Either way the file is replaced atomically: a reader sees the old text or the new one.
enum class Durability { Synced, ThisBoot };

/// Writes `data` to `path` atomically: a temporary file in the same directory, fsync (unless
/// ThisBoot), rename.
Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0644,
                         Durability durability = Durability::Synced);

/// The whole file, or an error naming it.
Result<std::string> read_file(const std::string& path);

}  // namespace perouter
