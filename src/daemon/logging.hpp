// Logging for perouterd: spdlog to stderr when run by hand, straight to the journal (with
// priorities and structured fields) when systemd connected stderr to it. spdlog's own journald
// sink only sends MESSAGE and PRIORITY, hence log_event() for the events with a MESSAGE_ID.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

#include "daemon/messages.hpp"

namespace perouter::daemon {

/// Installs the default logger: the journal if stderr is systemd's journal stream
/// ($JOURNAL_STREAM names it), otherwise coloured stderr.
void setup_logging(const std::string& level);

/// One journal field, e.g. {"PEROUTER_VPN", "blue"}.
using Field = std::pair<std::string, std::string>;

/// Logs `text` at `level` with a MESSAGE_ID and extra fields (journal), or as a plain line.
void log_event(spdlog::level::level_enum level, const messages::MessageId& id,
               const std::string& text, const std::vector<Field>& fields = {});

}  // namespace perouter::daemon
