// Service, part 3: the VPN calls of the D-Bus API (src/dbus/controller.hpp): Validate, AddVpn,
// RemoveVpn. AddVpn and RemoveVpn only write or remove a drop-in and reload, like any other
// source of change (src/daemon/service.cpp).
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "config/names.hpp"
#include "config/online.hpp"
#include "config/to_json.hpp"
#include "config/vpn_document.hpp"
#include "daemon/logging.hpp"
#include "daemon/notify.hpp"
#include "daemon/service.hpp"
#include "dbus/server.hpp"

namespace perouter::daemon {
namespace fs = std::filesystem;

Diagnostics Service::validate(const std::string& toml) {
    trim_later();  // files_now() and the check may parse every file
    // Against the files that stand now, as the loader would see them.
    FilesNow loaded = files_now();
    if (!loaded.config)
        return loaded.diagnostics;
    return check_with(loaded, config::ConfigText{"<validate>", toml});
}

ControlResult<void> Service::reload_for(const std::string& file,
                                        std::optional<config::Assembly> prepared) {
    auto r = reload_with(std::move(prepared));
    if (r || r.error().kind != ControlErrorKind::InvalidConfig || !rejected_.empty())
        return r;
    // Only other drop-ins were left out (they are reported in the status and the journal): the
    // caller's change applied, and its call succeeded.
    for (const auto& f : skipped_)
        if (!file.empty() && f.path == file)
            return r;
    return {};
}

ControlResult<void> Service::add_vpn(const std::string& name, const std::string& toml,
                                     bool persist) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    const config::Layout layout{opts_.root};
    const std::string file = "50-" + name + ".toml";
    const std::string dir = opts_.root + (persist ? "/etc" : "/run") + "/perouter/perouter.d";
    const std::string target = dir + "/" + file;
    auto kind = config::check_vpn_document({target, toml}, name);
    if (!kind)
        return fail(invalid_config(kind.error()));

    // The loader's precedence rules: a file of that name in any of the three directories
    // would either hide ours (a higher one) or be hidden by it (a lower one, or the same).
    for (const auto& d : layout.dirs()) {
        std::string other = d + "/" + layout.dropin_dir_name() + "/" + file;
        struct stat st {};
        if (::lstat(other.c_str(), &st) == 0)
            return fail(ControlError{
                ControlErrorKind::VpnExists,
                fmt::format("{} already exists; a drop-in of that name would {} it", other,
                            other == target ? "replace" : "hide or be hidden by"),
                {}});
    }

    FilesNow loaded = files_now();
    if (!loaded.config)
        return fail(invalid_config(loaded.diagnostics));
    if (auto v = config::find_vpn(*loaded.config, name))
        return fail(ControlError{
            ControlErrorKind::VpnExists,
            fmt::format("vpn '{}' already exists (defined in {})", name, v->source.str()),
            {}});
    Checked checked = check_dropin(loaded, {target, toml});
    if (!checked.errors.empty())
        return fail(invalid_config(std::move(checked.errors)));

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return fail(ControlError{
            ControlErrorKind::Failed, fmt::format("create {}: {}", dir, ec.message()), {}});
    // A volatile VPN's file is under /run: nothing reads it after a reboot, no fsync.
    if (Status st = write_file_atomic(target, toml, 0644,
                                      persist ? Durability::Synced : Durability::ThisBoot);
        !st)
        return fail(ControlError{ControlErrorKind::Failed, st.error().message, {}});
    spdlog::info("vpn '{}' written to {}", name, target);
    // The reload takes the configuration the check assembled when the files are those texts.
    auto r = reload_for(target, std::move(checked.assembly));
    if (router_)
        router_->retire(std::move(loaded));  // every file's text: freed once the loop is idle
    return r;
}

ControlResult<void> Service::remove_vpn(const std::string& name) {
    if (std::string p = config::vpn_name_problem(name); !p.empty())
        return fail(ControlError{
            ControlErrorKind::InvalidArgs, fmt::format("invalid vpn name '{}': {}", name, p), {}});
    // Only the drop-ins AddVpn writes are ours to remove; both, so that a persisted copy does
    // not reappear from under a volatile one.
    const std::string file = "/perouter/perouter.d/50-" + name + ".toml";
    const std::vector<std::string> owned{opts_.root + "/run" + file, opts_.root + "/etc" + file};
    auto same = [](const std::string& a, const std::string& b) {
        return fs::path(a).lexically_normal() == fs::path(b).lexically_normal();
    };
    auto is_owned = [&](const std::string& path) {
        return std::any_of(owned.begin(), owned.end(),
                           [&](const std::string& o) { return same(o, path); });
    };

    FilesNow loaded = files_now();
    std::optional<config::VpnRef> found;
    if (loaded.config)
        found = config::find_vpn(*loaded.config, name);
    // AddVpn's own file that the loader left out (it clashes with a file added since) is still
    // AddVpn's to remove.
    for (const auto& f : loaded.skipped)
        if (!found && is_owned(f.path))
            found = config::VpnRef{name, VpnKind::Unknown, 0, "", f.path};
    if (!found)
        return fail(
            ControlError{ControlErrorKind::NoSuchVpn, fmt::format("no vpn named '{}'", name), {}});

    if (std::none_of(owned.begin(), owned.end(),
                     [&](const std::string& o) { return same(o, found->source.str()); }))
        return fail(ControlError{
            ControlErrorKind::ReadOnly,
            fmt::format("vpn '{}' is defined in {}, not by AddVpn; edit that file instead", name,
                        found->source.str()),
            {}});
    for (const auto& o : owned) {
        std::error_code ec;
        if (fs::remove(o, ec))
            spdlog::info("vpn '{}': removed {}", name, o);
        if (ec)
            return fail(ControlError{
                ControlErrorKind::Failed, fmt::format("remove {}: {}", o, ec.message()), {}});
    }
    return reload_for(std::string());
}

}  // namespace perouter::daemon
