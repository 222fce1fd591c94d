#include "common/systemd_unit.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

namespace perouter {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kManager = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerIface = "org.freedesktop.systemd1.Manager";

Status call_unit(const std::string& unit, const char* method) {
    sd_bus* bus = nullptr;
    if (int r = sd_bus_open_system(&bus); r < 0)
        return fail(errno_error(-r, "connect to systemd"));
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    if (std::string_view(method) == "StartUnit") {
        // "not loaded" or "not failed" are no reason not to try the start.
        (void)sd_bus_call_method(bus, kManager, kManagerPath, kManagerIface, "ResetFailedUnit",
                                 nullptr, nullptr, "s", unit.c_str());
    }
    int r = sd_bus_call_method(bus, kManager, kManagerPath, kManagerIface, method, &err, &reply,
                               "ss", unit.c_str(), "replace");
    Status st;
    if (r < 0)
        st = fail(Error{
            fmt::format("{} {}: {}", method, unit, err.message ? err.message : strerror(-r)), -r});
    sd_bus_error_free(&err);
    sd_bus_message_unref(reply);
    sd_bus_flush_close_unref(bus);
    return st;
}

}  // namespace

bool running_as_systemd_service() {
    return sd_booted() > 0 && getenv("INVOCATION_ID") != nullptr;
}

bool unit_file_installed(const std::string& name) {
    for (const char* dir :
         {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"})
        if (fs::exists(fs::path(dir) / name))
            return true;
    return false;
}

Status start_unit(const std::string& unit) {
    return call_unit(unit, "StartUnit");
}

Status stop_unit(const std::string& unit) {
    PEROUTER_TRY(call_unit(unit, "StopUnit"));
    auto until = std::chrono::steady_clock::now() + 30s;
    while (!unit_settled(unit) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(50ms);
    return {};
}

namespace {

// The unit's ActiveState; nullopt when there is no bus to ask, "" when the unit is not loaded.
std::optional<std::string> active_state(const std::string& unit) {
    sd_bus* bus = nullptr;
    if (sd_bus_open_system(&bus) < 0)
        return std::nullopt;
    sd_bus_message* reply = nullptr;
    const char* path = nullptr;
    char* state = nullptr;
    int r = sd_bus_call_method(bus, kManager, kManagerPath, kManagerIface, "GetUnit", nullptr,
                               &reply, "s", unit.c_str());
    if (r >= 0)
        r = sd_bus_message_read(reply, "o", &path);
    if (r >= 0)
        r = sd_bus_get_property_string(bus, kManager, path, "org.freedesktop.systemd1.Unit",
                                       "ActiveState", nullptr, &state);
    std::string result = r >= 0 && state ? state : "";
    free(state);
    sd_bus_message_unref(reply);
    sd_bus_flush_close_unref(bus);
    return result;
}

}  // namespace

bool unit_settled(const std::string& unit) {
    // Nothing to ask: the caller's pid files decide. Not loaded counts as settled, like
    // inactive and failed.
    const auto state = active_state(unit);
    return !state || state->empty() || *state == "inactive" || *state == "failed";
}

bool unit_starting(const std::string& unit) {
    const auto state = active_state(unit);
    return state && *state == "activating";
}

Status check_unit_namespace(const std::string& unit, const std::string& netns,
                            const std::string& hint) {
    const std::string want = "/run/netns/" + netns;
    sd_bus* bus = nullptr;
    if (int r = sd_bus_open_system(&bus); r < 0)
        return fail(errno_error(-r, "connect to systemd"));
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    const char* path = nullptr;
    char* have = nullptr;
    int r = sd_bus_call_method(bus, kManager, kManagerPath, kManagerIface, "LoadUnit", &err, &reply,
                               "s", unit.c_str());
    if (r >= 0)
        r = sd_bus_message_read(reply, "o", &path);
    if (r >= 0)
        r = sd_bus_get_property_string(bus, kManager, path, "org.freedesktop.systemd1.Service",
                                       "NetworkNamespacePath", &err, &have);
    Status st;
    if (r < 0) {
        st = fail(Error{
            fmt::format("inspect {}: {}", unit, err.message ? err.message : strerror(-r)), -r});
    } else if (want != have) {
        st = fail(fmt::format(
            "{} would not run in the router namespace (NetworkNamespacePath='{}', want '{}'): {}",
            unit, have, want, hint));
    }
    free(have);
    sd_bus_error_free(&err);
    sd_bus_message_unref(reply);
    sd_bus_flush_close_unref(bus);
    return st;
}

bool process_in_netns(int pid, const std::string& netns) {
    struct stat want {
    }, have{};
    std::string ns_path = "/run/netns/" + netns;
    std::string proc_ns = fmt::format("/proc/{}/ns/net", pid);
    if (::stat(ns_path.c_str(), &want) != 0 || ::stat(proc_ns.c_str(), &have) != 0)
        return false;
    return want.st_ino == have.st_ino && want.st_dev == have.st_dev;
}

}  // namespace perouter
