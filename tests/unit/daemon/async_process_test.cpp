// AsyncProcess: a helper's output and exit code arrive through the event loop, a hung helper is
// killed at its timeout, and the loop runs other sources while a helper is still busy.
#include "daemon/async_process.hpp"

#include <gtest/gtest.h>
#include <systemd/sd-event.h>

#include <optional>
#include <string>

using perouter::ProcessResult;
using perouter::Result;
using perouter::daemon::AsyncProcess;
using namespace std::chrono_literals;

namespace {

class AsyncProcessTest : public ::testing::Test {
  public:
    void SetUp() override { ASSERT_GE(sd_event_new(&event_), 0); }
    void TearDown() override {
        proc_.reset();
        sd_event_unref(event_);
    }
    void start(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
        auto p = AsyncProcess::start(event_, argv, timeout, [this](Result<ProcessResult> r) {
            result_.emplace(std::move(r));
            sd_event_exit(event_, 0);
        });
        ASSERT_TRUE(p) << p.error().message;
        proc_ = std::move(*p);
    }
    sd_event* event_ = nullptr;
    std::unique_ptr<AsyncProcess> proc_;
    std::optional<Result<ProcessResult>> result_;
    bool ran_while_busy_ = false;
};

TEST_F(AsyncProcessTest, DeliversOutputAndExitCode) {
    start({"sh", "-c", "echo out; echo err >&2; exit 3"}, 30s);
    ASSERT_GE(sd_event_loop(event_), 0);
    ASSERT_TRUE(result_ && *result_);
    EXPECT_EQ((*result_)->out, "out\n");
    EXPECT_EQ((*result_)->err, "err\n");
    EXPECT_EQ((*result_)->exit_code, 3);
    EXPECT_FALSE((*result_)->timed_out);
    EXPECT_TRUE(proc_->finished());
}

TEST_F(AsyncProcessTest, KillsAHungHelperAtItsTimeoutAndTheLoopRunsMeanwhile) {
    start({"sleep", "600"}, 300ms);
    // A timer due before the timeout runs while the helper is still busy (`sleep 600` cannot
    // have ended): the loop was not blocked on the helper.
    sd_event_source* t = nullptr;
    ASSERT_GE(sd_event_add_time_relative(
                  event_, &t, CLOCK_MONOTONIC, 1000, 0,
                  [](sd_event_source*, uint64_t, void* self) {
                      auto* f = static_cast<AsyncProcessTest*>(self);
                      f->ran_while_busy_ = !f->result_.has_value() && !f->proc_->finished();
                      return 0;
                  },
                  this),
              0);
    ASSERT_GE(sd_event_loop(event_), 0);
    sd_event_source_unref(t);
    EXPECT_TRUE(ran_while_busy_);
    ASSERT_TRUE(result_ && *result_);
    EXPECT_TRUE((*result_)->timed_out);
    EXPECT_EQ((*result_)->exit_code, -1);
}

TEST_F(AsyncProcessTest, AMissingProgramIsAnError) {
    start({"perouter-no-such-program"}, 30s);
    ASSERT_GE(sd_event_loop(event_), 0);
    ASSERT_TRUE(result_);
    ASSERT_FALSE(*result_);
    EXPECT_EQ(result_->error().code, ENOENT);
}

}  // namespace
