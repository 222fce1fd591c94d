#include "cli/bus_errors.hpp"

#include <fmt/format.h>
#include <systemd/sd-bus-protocol.h>

#include <array>

#include "cli/exit_codes.hpp"
#include "dbus/names.hpp"

namespace perouter::cli {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > start)
            out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

bool is_not_running(const dbus::BusError& e) {
    // ServiceUnknown/NameHasNoOwner: nobody owns the name (and activation is not configured).
    // NoReply/Disconnected: the daemon died or stopped answering mid-call. NoServer, FileNotFound
    // and the socket errnos: the bus itself is not there (early boot, wrong --bus-address).
    static constexpr std::array kNames = {
        SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_NO_REPLY,
        SD_BUS_ERROR_DISCONNECTED,    SD_BUS_ERROR_NO_SERVER,         SD_BUS_ERROR_FILE_NOT_FOUND,
    };
    for (const char* n : kNames)
        if (e.name == n)
            return true;
    // The router's own errors reuse errnos (NoSuchVpn is ENOENT); only generic errors that
    // sd-bus built from a socket errno say something about the connection.
    if (e.name.rfind("org.openperouter.", 0) == 0)
        return false;
    return e.code == ECONNREFUSED || e.code == ENOENT || e.code == ECONNRESET ||
           e.code == ENOTCONN || e.code == EPIPE;
}

ErrorReport report_bus_error(const dbus::BusError& e, std::string_view action) {
    if (is_not_running(e)) {
        std::string why = e.message.empty() ? e.name : e.message;
        return {kExitNotRunning,
                {fmt::format("Failed to {}: perouterd is not running ({}).", action, why)}};
    }
    if (e.name == dbus::kErrorInvalidConfig) {
        // The message is the daemon's summary line followed by one FILE:LINE:COL line per error;
        // print them as they are so editors and scripts can jump to the positions.
        auto lines = split_lines(e.message);
        if (lines.empty())
            lines.push_back(fmt::format("Failed to {}: invalid configuration.", action));
        return {kExitFailure, std::move(lines)};
    }
    if (e.name == SD_BUS_ERROR_ACCESS_DENIED ||
        e.name == SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED) {
        std::vector<std::string> lines{
            fmt::format("Failed to {}: access denied.", action),
            "This needs root (or polkit authorization for org.openperouter.Router1.* when "
            "polkitd runs).",
        };
        if (!e.message.empty())
            lines.push_back(fmt::format("perouterd said: {}", e.message));
        return {kExitFailure, std::move(lines)};
    }
    if (e.name == SD_BUS_ERROR_TIMEOUT)
        return {kExitFailure,
                {fmt::format("Failed to {}: perouterd did not answer in time ({}).", action,
                             e.message.empty() ? e.name : e.message)}};
    // NoSuchVpn, VpnExists, ReadOnly, Failed, InvalidArgs: the daemon's message says it all.
    std::string msg = e.message.empty() ? e.name : e.message;
    auto lines = split_lines(msg);
    if (lines.empty())
        lines.push_back(e.name);
    lines.front() = fmt::format("Failed to {}: {}", action, lines.front());
    return {kExitFailure, std::move(lines)};
}

ErrorReport report_diagnostics(const Diagnostics& diags) {
    ErrorReport r{kExitFailure, {}};
    for (const auto& d : diags)
        r.lines.push_back(d.str());
    return r;
}

}  // namespace perouter::cli
