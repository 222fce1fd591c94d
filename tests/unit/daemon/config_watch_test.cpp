// ConfigWatch: which directory events count (classify), and that drain() sees every event
// queued before it was called, so a reload never reads a closed file's previous text.
#include "daemon/config_watch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using perouter::daemon::classify;
using perouter::daemon::ConfigWatch;
using perouter::daemon::FileEvent;

namespace {

const std::vector<std::string> kWanted = {"/r/usr/lib/perouter", "/r/usr/lib/perouter/perouter.d",
                                          "/r/etc/perouter", "/r/etc/perouter/perouter.d"};

TEST(ConfigWatchClassify, OpenedTomlIsWritingUntilClosed) {
    EXPECT_EQ(classify(IN_CREATE, "/r/etc/perouter/perouter.d", "50-a.toml", false, kWanted),
              FileEvent::Writing);
    EXPECT_EQ(classify(IN_MODIFY, "/r/etc/perouter", "perouter.toml", false, kWanted),
              FileEvent::Writing);
    EXPECT_EQ(classify(IN_CLOSE_WRITE, "/r/etc/perouter", "perouter.toml", false, kWanted),
              FileEvent::Complete);
    EXPECT_EQ(classify(IN_MOVED_TO, "/r/etc/perouter/perouter.d", "50-a.toml", false, kWanted),
              FileEvent::Complete);
    EXPECT_EQ(classify(IN_DELETE, "/r/etc/perouter/perouter.d", "50-a.toml", false, kWanted),
              FileEvent::Complete);
}

TEST(ConfigWatchClassify, NewSymlinkIsCompleteAtOnce) {
    EXPECT_EQ(classify(IN_CREATE, "/r/etc/perouter/perouter.d", "50-a.toml", true, kWanted),
              FileEvent::Complete);
}

TEST(ConfigWatchClassify, OtherFilesAndDirectoriesAreIgnored) {
    EXPECT_EQ(classify(IN_CLOSE_WRITE, "/r/etc/perouter", ".perouter.toml.swp", false, kWanted),
              FileEvent::Ignore);
    EXPECT_EQ(
        classify(IN_MOVED_FROM, "/r/etc/perouter/perouter.d", ".50-a.toml.XyZ12", false, kWanted),
        FileEvent::Ignore);
    EXPECT_EQ(classify(IN_CLOSE_WRITE, "/r/etc/perouter", "notes.txt", false, kWanted),
              FileEvent::Ignore);
    EXPECT_EQ(classify(IN_CREATE | IN_ISDIR, "/r/run/perouter", "state", false, kWanted),
              FileEvent::Ignore);
}

TEST(ConfigWatchClassify, DirectoriesOnTheWayRewatch) {
    EXPECT_EQ(classify(IN_CREATE | IN_ISDIR, "/r/usr/lib", "perouter", false, kWanted),
              FileEvent::Rewatch);
    EXPECT_EQ(classify(IN_CREATE | IN_ISDIR, "/r/etc/perouter", "perouter.d", false, kWanted),
              FileEvent::Rewatch);
    EXPECT_EQ(classify(IN_DELETE_SELF, "/r/etc/perouter/perouter.d", "", false, kWanted),
              FileEvent::Rewatch);
    EXPECT_EQ(classify(IN_Q_OVERFLOW, "", "", false, kWanted), FileEvent::Overflow);
}

class ConfigWatchDrain : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/perouter-watch-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        ASSERT_GE(sd_event_new(&event_), 0);
        auto w = ConfigWatch::open(event_, root_,
                                   [this](const std::string& why) { changed_.push_back(why); });
        ASSERT_TRUE(w) << w.error().message;
        watch_ = std::move(*w);
    }
    void TearDown() override {
        watch_.reset();
        sd_event_unref(event_);
        fs::remove_all(root_);
    }
    std::string root_;
    sd_event* event_ = nullptr;
    std::unique_ptr<ConfigWatch> watch_;
    std::vector<std::string> changed_;
};

TEST_F(ConfigWatchDrain, AFileIsWritingWhileOpenAndCompleteOnceClosed) {
    const std::string path = root_ + "/etc/perouter/perouter.d/50-a.toml";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "[node]\n", 7), 7);
    watch_->drain();
    EXPECT_EQ(watch_->writing().count(path), 1U);
    EXPECT_TRUE(changed_.empty());

    ::close(fd);
    // No event loop iteration in between: drain() alone must see the close.
    watch_->drain();
    EXPECT_EQ(watch_->writing().count(path), 0U);
    ASSERT_EQ(changed_.size(), 1U);
    EXPECT_EQ(changed_[0], path);
}

TEST_F(ConfigWatchDrain, ARenamedFileIsCompleteAndTemporariesAreNot) {
    const std::string tmp = root_ + "/run/perouter/perouter.d/.50-b.toml.tmp";
    const std::string path = root_ + "/run/perouter/perouter.d/50-b.toml";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_EQ(::rename(tmp.c_str(), path.c_str()), 0);
    watch_->drain();
    EXPECT_TRUE(watch_->writing().empty());
    ASSERT_EQ(changed_.size(), 1U);
    EXPECT_EQ(changed_[0], path);
}

TEST_F(ConfigWatchDrain, AVendorDirectoryCreatedLaterIsWatched) {
    fs::create_directories(root_ + "/usr/lib/perouter/perouter.d");
    watch_->drain();
    changed_.clear();
    const std::string path = root_ + "/usr/lib/perouter/perouter.d/10-v.toml";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
    watch_->drain();
    ASSERT_FALSE(changed_.empty());
    EXPECT_EQ(changed_.back(), path);
}

}  // namespace
