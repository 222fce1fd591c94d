// HealthWatch: a watched process's exit and a watched file's creation or removal each call
// `changed`; other files in the same directory and a watch set that did not change do not.
// The loop is run until the expected call arrived (sd_event_run with a bound), never slept on.
#include "daemon/health_watch.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using perouter::daemon::HealthWatch;
using perouter::daemon::Watched;

namespace {

class HealthWatchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/perouter-health-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_GE(sd_event_new(&event_), 0);
        watch_ = std::make_unique<HealthWatch>(
            event_, [this](const std::string& what) { changed_.push_back(what); });
    }
    void TearDown() override {
        watch_.reset();
        if (child_ > 0) {
            ::kill(child_, SIGKILL);
            ::waitpid(child_, nullptr, 0);
        }
        sd_event_unref(event_);
        fs::remove_all(dir_);
    }
    // Runs the loop until `n` calls arrived or nothing happened for 5 s.
    void run_until(size_t n) {
        while (changed_.size() < n)
            if (sd_event_run(event_, 5'000'000) <= 0)
                break;
    }
    // Handles every event already queued, without waiting.
    void run_pending() {
        while (sd_event_run(event_, 0) > 0) {
        }
    }
    pid_t spawn_sleeper() {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::pause();
            ::_exit(0);
        }
        child_ = pid;
        return pid;
    }
    void touch(const std::string& name) { std::ofstream(dir_ + "/" + name) << "1\n"; }

    std::string dir_;
    sd_event* event_ = nullptr;
    std::unique_ptr<HealthWatch> watch_;
    std::vector<std::string> changed_;
    pid_t child_ = 0;
};

TEST_F(HealthWatchTest, AProcessExitIsReportedOnce) {
    pid_t pid = spawn_sleeper();
    watch_->watch(Watched{{pid}, {}});
    run_pending();
    EXPECT_TRUE(changed_.empty());
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    child_ = 0;
    run_until(1);
    ASSERT_EQ(changed_.size(), 1u);
    EXPECT_NE(changed_[0].find(std::to_string(pid)), std::string::npos) << changed_[0];
    // The same watch set again: the exited process is not reported again.
    watch_->watch(Watched{{pid}, {}});
    run_pending();
    EXPECT_EQ(changed_.size(), 1u);
}

TEST_F(HealthWatchTest, AProcessGoneBeforeTheWatchIsReported) {
    watch_->watch(Watched{{0}, {}});  // no pid file: nothing to watch, which is a change
    EXPECT_EQ(changed_.size(), 1u);
}

TEST_F(HealthWatchTest, OnlyTheWatchedFilesOfADirectoryCount) {
    watch_->watch(Watched{{}, {dir_ + "/bgpd.vty", dir_ + "/zebra.pid"}});
    touch("frr.log");  // same directory, not watched
    std::ofstream(dir_ + "/frr.log", std::ios::app) << "more\n";
    touch("bgpd.vty");
    run_until(1);
    ASSERT_EQ(changed_.size(), 1u);
    EXPECT_EQ(changed_[0], dir_ + "/bgpd.vty");
    fs::remove(dir_ + "/bgpd.vty");
    run_until(2);
    ASSERT_EQ(changed_.size(), 2u);
    EXPECT_EQ(changed_[1], dir_ + "/bgpd.vty");
    run_pending();
    EXPECT_EQ(changed_.size(), 2u);
}

TEST_F(HealthWatchTest, ADirectoryThatGoesAwayIsReported) {
    fs::create_directory(dir_ + "/run");
    watch_->watch(Watched{{}, {dir_ + "/run/zebra.pid"}});
    fs::remove(dir_ + "/run");
    run_until(1);
    ASSERT_GE(changed_.size(), 1u);
    EXPECT_EQ(changed_[0], dir_ + "/run");
}

TEST_F(HealthWatchTest, AFileNoLongerWatchedIsNotReported) {
    watch_->watch(Watched{{}, {dir_ + "/a.vty"}});
    watch_->watch(Watched{{}, {dir_ + "/b.vty"}});
    touch("a.vty");
    touch("b.vty");
    run_until(1);
    run_pending();
    ASSERT_EQ(changed_.size(), 1u);
    EXPECT_EQ(changed_[0], dir_ + "/b.vty");
}

}  // namespace
