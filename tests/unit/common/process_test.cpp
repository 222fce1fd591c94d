#include "common/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace perouter {
namespace {

using namespace std::chrono_literals;

// Blocks until the child has exited, without reaping it (communicate() does that).
void wait_exited(int pid) {
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
}

TEST(OutputClosed, FalseWhileTheChildRunsTrueOnceItExited) {
    auto sp = spawn_process({"sh", "-c", "read line; echo out; echo err >&2; exit 3"}, Stdin::Pipe);
    ASSERT_TRUE(sp);
    EXPECT_FALSE(output_closed(*sp));  // it waits for its line
    ASSERT_TRUE(feed(*sp, "go\n"));
    wait_exited(sp->pid);
    EXPECT_TRUE(output_closed(*sp));  // its output is still unread, and closed
    ProcessResult r = communicate(*sp, {}, 10s);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\n");
}

TEST(OutputClosed, FalseWhileSomethingItStartedHoldsItsOutput) {
    // The child exits at once; the sleep it leaves behind keeps stdout and stderr open.
    auto sp = spawn_process({"sh", "-c", "sleep 60 & echo $!"});
    ASSERT_TRUE(sp);
    wait_exited(sp->pid);
    EXPECT_FALSE(output_closed(*sp));
    char buf[32] = {};
    ASSERT_GT(::read(sp->out_fd, buf, sizeof buf - 1), 0);
    ::kill(std::atoi(buf), SIGKILL);
    ProcessResult r = communicate(*sp, {}, 10s);  // returns once the sleep is gone
    EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace perouter
