#include "daemon/logging.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace perouter::daemon {
namespace {

bool g_journal = false;

int priority(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return LOG_DEBUG;
        case spdlog::level::info:
            return LOG_INFO;
        case spdlog::level::warn:
            return LOG_WARNING;
        case spdlog::level::err:
            return LOG_ERR;
        case spdlog::level::critical:
            return LOG_CRIT;
        default:
            return LOG_INFO;
    }
}

// systemd sets JOURNAL_STREAM=<dev>:<inode> when it connects stdout/stderr to the journal; only
// then is writing to the journal directly equivalent to (and richer than) writing to stderr.
bool stderr_is_journal() {
    const char* js = getenv("JOURNAL_STREAM");
    if (!js)
        return false;
    unsigned long long dev = 0, ino = 0;
    if (sscanf(js, "%llu:%llu", &dev, &ino) != 2)
        return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0)
        return false;
    return st.st_dev == dev && st.st_ino == ino;
}

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string text(msg.payload.data(), msg.payload.size());
        sd_journal_send("MESSAGE=%s", text.c_str(), "PRIORITY=%i", priority(msg.level),
                        "SYSLOG_IDENTIFIER=perouterd", nullptr);
    }
    void flush_() override {}
};

}  // namespace

void setup_logging(const std::string& level) {
    g_journal = stderr_is_journal();
    std::shared_ptr<spdlog::logger> logger;
    if (g_journal) {
        logger = std::make_shared<spdlog::logger>("perouterd", std::make_shared<JournalSink>());
    } else {
        logger = spdlog::stderr_color_mt("perouterd");
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

void log_event(spdlog::level::level_enum level, const messages::MessageId& id,
               const std::string& text, const std::vector<Field>& fields) {
    if (!spdlog::default_logger()->should_log(level))
        return;
    if (!g_journal) {
        spdlog::log(level, "{}", text);
        return;
    }
    // sd_journal_sendv takes "FIELD=value" iovecs; the strings must outlive the call.
    std::vector<std::string> items{"MESSAGE=" + text, fmt::format("PRIORITY={}", priority(level)),
                                   fmt::format("MESSAGE_ID={}", id.id),
                                   "SYSLOG_IDENTIFIER=perouterd"};
    for (const auto& [k, v] : fields)
        items.push_back(k + "=" + v);
    std::vector<iovec> iov;
    for (auto& s : items)
        iov.push_back({s.data(), s.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

}  // namespace perouter::daemon
