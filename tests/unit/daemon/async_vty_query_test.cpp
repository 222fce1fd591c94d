// AsyncVtyQuery against a stand-in daemon (tests/unit/support/vty_stand_in.hpp): the answer
// arrives through the event loop, also in pieces; a daemon that does not answer is given up at the
// timeout while the loop runs other sources; a refused socket, a closed connection and a failed
// command are errors.
#include "daemon/async_vty_query.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "support/vty_stand_in.hpp"

using perouter::Result;
using perouter::daemon::AsyncVtyQuery;
using namespace std::chrono_literals;

namespace {

using perouter::testing::vty_framed;
using perouter::testing::VtyStandIn;
using perouter::testing::write_all;

class AsyncVtyQueryTest : public ::testing::Test {
  public:
    void SetUp() override { ASSERT_GE(sd_event_new(&event_), 0); }
    void TearDown() override {
        query_.reset();
        sd_event_unref(event_);
    }
    void ask(const std::string& path, std::chrono::milliseconds timeout) {
        auto q = AsyncVtyQuery::start(event_, path, "show bgp neighbors json", timeout,
                                      [this](Result<std::string> r) {
                                          result_.emplace(std::move(r));
                                          sd_event_exit(event_, 0);
                                      });
        ASSERT_TRUE(q) << q.error().message;
        query_ = std::move(*q);
        ASSERT_GE(sd_event_loop(event_), 0);
        ASSERT_TRUE(result_.has_value());
        EXPECT_TRUE(query_->finished());
    }
    sd_event* event_ = nullptr;
    std::unique_ptr<AsyncVtyQuery> query_;
    std::optional<Result<std::string>> result_;
    bool ran_while_waiting_ = false;
};

TEST_F(AsyncVtyQueryTest, DeliversTheOutputSentInPieces) {
    std::string seen;
    VtyStandIn d([&](int fd, const std::string& command) {
        seen = command;
        const std::string msg = vty_framed("{\"192.168.11.2\":{}}\n", 0);
        // The answer in three pieces, the framing itself split: only the whole counts.
        write_all(fd, msg.substr(0, 5));
        std::this_thread::sleep_for(5ms);
        write_all(fd, msg.substr(5, msg.size() - 7));
        std::this_thread::sleep_for(5ms);
        write_all(fd, msg.substr(msg.size() - 2));
        return false;
    });
    ask(d.path(), 5s);
    ASSERT_TRUE(*result_) << result_->error().message;
    EXPECT_EQ(**result_, "{\"192.168.11.2\":{}}\n");
    EXPECT_EQ(seen, "show bgp neighbors json");
}

TEST_F(AsyncVtyQueryTest, GivesUpAtTheTimeoutAndTheLoopRunsMeanwhile) {
    // The stand-in says nothing until the query hangs up (which it does at its timeout).
    VtyStandIn d([](int fd, const std::string&) {
        char c;
        while (::read(fd, &c, 1) > 0) {
        }
        return false;
    });
    // A timer due before the timeout runs while the query waits: the loop was not blocked.
    sd_event_source* t = nullptr;
    ASSERT_GE(sd_event_add_time_relative(
                  event_, &t, CLOCK_MONOTONIC, 1000, 0,
                  [](sd_event_source*, uint64_t, void* self) {
                      auto* f = static_cast<AsyncVtyQueryTest*>(self);
                      f->ran_while_waiting_ = !f->result_.has_value();
                      return 0;
                  },
                  this),
              0);
    ask(d.path(), 200ms);
    sd_event_source_unref(t);
    EXPECT_TRUE(ran_while_waiting_);
    ASSERT_FALSE(*result_);
    EXPECT_EQ(result_->error().code, ETIMEDOUT);
}

TEST_F(AsyncVtyQueryTest, AMissingSocketIsAnErrorThroughTheLoop) {
    ask("/tmp/perouter-async-vty-no-such-dir/bgpd.vty", 5s);
    ASSERT_FALSE(*result_);
    EXPECT_EQ(result_->error().code, ENOENT);
}

TEST_F(AsyncVtyQueryTest, ADaemonThatClosesIsAnError) {
    VtyStandIn d([](int fd, const std::string&) {
        write_all(fd, "partial");
        return false;
    });
    ask(d.path(), 5s);
    ASSERT_FALSE(*result_);
    EXPECT_EQ(result_->error().code, ECONNRESET);
}

TEST_F(AsyncVtyQueryTest, AFailedCommandIsAnErrorWithItsOutput) {
    VtyStandIn d([](int fd, const std::string&) {
        write_all(fd, vty_framed("% Unknown command: show bgp neighbors json\n", 2));
        return false;
    });
    ask(d.path(), 5s);
    ASSERT_FALSE(*result_);
    EXPECT_NE(result_->error().message.find("status 2: % Unknown command"), std::string::npos)
        << result_->error().message;
}

}  // namespace
