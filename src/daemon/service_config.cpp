// Service, part 4 (src/daemon/service.hpp): loading the configuration files. What a load
// left out or rejected is logged and kept for the status; a load that stands is applied
// (Service::apply in service.cpp); an invalid main file at start falls back on the last good one.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "config/load.hpp"
#include "config/vpn_document.hpp"
#include "daemon/logging.hpp"
#include "daemon/messages.hpp"
#include "daemon/notify.hpp"
#include "daemon/service.hpp"

namespace perouter::daemon {

config::InProgress Service::in_progress() const {
    static const std::set<std::string> kNone;
    return config::InProgress{files_ ? files_->writing() : kNone, &read_texts_};
}

Service::FilesNow Service::files_now() {
    config::Sources sources = config::read_sources(config::Layout{opts_.root}, in_progress());
    if (sources.fatal.empty() && sources.unreadable.empty() && current_ && !on_last_good_ &&
        skipped_.empty() && rejected_.empty() && sources.texts == read_texts_)
        return FilesNow{current_, std::move(sources.texts), {}, {}, read_replaced_};
    config::Assembly loaded = assemble(sources);
    FilesNow now;
    if (loaded.config)
        now.config = std::make_shared<const config::Config>(std::move(*loaded.config));
    now.texts = std::move(loaded.texts);
    now.diagnostics = loaded.diagnostics();
    now.skipped = std::move(loaded.skipped);
    now.replaced = loaded.replaced;
    return now;
}

config::Assembly Service::assemble(const config::Sources& sources) {
    // The running configuration is the assembly of read_texts_ unless it is the last good one
    // (start_from_last_good) or the last load failed as a whole.
    if (sources.fatal.empty() && sources.unreadable.empty() && current_ && !on_last_good_ &&
        rejected_.empty())
        if (auto r = config::reassemble({read_texts_, *current_, read_replaced_}, sources.texts))
            return std::move(*r);
    return config::assemble(sources, raw_frr_check_.callback());
}

Diagnostics Service::check_with(const FilesNow& files, const config::ConfigText& extra) {
    std::vector<config::ConfigText> all = files.texts;
    all.push_back(extra);
    if (files.config && config::reassemble({files.texts, *files.config, files.replaced}, all))
        return {};
    auto r = config::parse_with(files.texts, extra);
    return r ? Diagnostics{} : r.error();
}

Service::Checked Service::check_dropin(const FilesNow& files, const config::ConfigText& extra) {
    if (files.config)
        if (auto r = config::reassemble({files.texts, *files.config, files.replaced},
                                        config::with_dropin(files.texts, extra)))
            return Checked{{}, std::move(*r)};
    auto r = config::parse_with(files.texts, extra);
    return Checked{r ? Diagnostics{} : r.error(), std::nullopt};
}

ControlResult<void> Service::load_and_apply(const char* why,
                                            std::optional<config::Assembly> prepared) {
    config::Sources sources = config::read_sources(config::Layout{opts_.root}, in_progress());
    // AddVpn's check assembled these texts already (the same pure assemble()); the files are
    // read all the same, for whatever else changed since.
    const bool reuse = prepared && sources.fatal.empty() && sources.unreadable.empty() &&
                       prepared->texts == sources.texts;
    if (reuse)
        spdlog::debug("{}: the files are the texts the check assembled", why);
    config::Assembly loaded = reuse ? std::move(*prepared) : assemble(sources);
    prepared.reset();
    trim_later();  // a parse of every file, also when nothing is applied
    // The texts the running configuration was built from, before this load replaces them.
    const bool same_texts = loaded.config && current_ && loaded.texts == read_texts_;
    if (loaded.config) {
        read_texts_ = loaded.texts;
        read_replaced_ = loaded.replaced;
    }
    report_load(loaded);
    if (!loaded.config) {
        if (!current_ && start_from_last_good()) {
            publish();
            return fail(invalid_config(loaded.diagnostics()));
        }
        if (!current_)
            state_ = RunState::Failed;
        publish();
        return fail(invalid_config(loaded.diagnostics()));
    }
    // A reload whose files are the ones the running configuration came from has nothing to
    // apply: the router has it. Drift is repaired by the link events and the health watch, not by
    // reloads. After an apply with errors, or on the last good file, it applies (a retry).
    if (same_texts && !on_last_good_ && apply_error_.empty() && last_.errors.empty()) {
        spdlog::info("configuration files unchanged ({}): nothing to apply", why);
        publish();
        if (!loaded.skipped.empty())
            return fail(invalid_config(loaded.diagnostics()));
        return {};
    }
    on_last_good_ = false;
    std::shared_ptr<const config::Config> before = std::move(current_);
    current_ = std::make_shared<const config::Config>(std::move(*loaded.config));
    check_file_modes(*current_);
    apply(why, Scope::changes());
    after_apply(before.get());
    if (last_.errors.empty() && last_.problems.empty()) {
        // Only the main file: the drop-ins stand alone and are read as they are at start.
        std::vector<config::ConfigText> main;
        for (const auto& t : loaded.texts)
            if (t.main)
                main.push_back(t);
        if (Status st = last_good_.save(main); !st)
            spdlog::warn("cannot save the last good configuration: {}", st.error().message);
    }
    if (!loaded.skipped.empty())
        return fail(invalid_config(loaded.diagnostics()));
    if (!apply_error_.empty())
        return fail(
            ControlError{ControlErrorKind::Failed, "applied with errors: " + apply_error_, {}});
    return {};
}

void Service::report_skipped(const config::Assembly& loaded) {
    skipped_ = loaded.skipped;
    for (const auto& f : loaded.skipped) {
        for (const auto& d : f.diagnostics)
            spdlog::error("{}", d.str());
        const Diagnostic& first = f.diagnostics.front();
        log_event(
            spdlog::level::err, messages::kConfigRejected,
            fmt::format("{} left out ({} error{}): {}; the other files apply", f.path,
                        f.diagnostics.size(), f.diagnostics.size() == 1 ? "" : "s", first.str()),
            {{"PEROUTER_ERRORS", std::to_string(f.diagnostics.size())},
             {"CONFIG_FILE", first.pos.file},
             {"CONFIG_LINE", std::to_string(first.pos.line)}});
    }
}

void Service::report_load(const config::Assembly& loaded) {
    rejected_ = loaded.fatal;
    report_skipped(loaded);
    if (loaded.fatal.empty())
        return;
    for (const auto& d : loaded.fatal)
        spdlog::error("{}", d.str());
    const Diagnostic& first = loaded.fatal.front();
    log_event(spdlog::level::err, messages::kConfigRejected,
              fmt::format("configuration rejected ({} error{}): {}; {}", loaded.fatal.size(),
                          loaded.fatal.size() == 1 ? "" : "s", first.str(),
                          current_ ? "keeping the running configuration" : "nothing applied"),
              {{"PEROUTER_ERRORS", std::to_string(loaded.fatal.size())},
               {"CONFIG_FILE", first.pos.file},
               {"CONFIG_LINE", std::to_string(first.pos.line)}});
}

bool Service::start_from_last_good() {
    auto texts = last_good_.load();
    if (!texts) {
        spdlog::error("no last good configuration to fall back on: {}", texts.error().message);
        return false;
    }
    // Only the main file failed (a drop-in that fails is left out, never fatal): its last good
    // text stands in for it, and the drop-ins count as they are now. A VPN added or removed
    // since, or a volatile /run drop-in gone with a reboot, is as the files say.
    auto main = std::find_if(texts->begin(), texts->end(),
                             [](const config::ConfigText& t) { return t.main; });
    if (main == texts->end()) {
        spdlog::error("{} holds no main file", last_good_.path());
        return false;
    }
    config::Assembly saved =
        config::load(config::Layout{opts_.root}, in_progress(), &*main, raw_frr_check_.callback());
    if (!saved.config) {
        // Saved by an older or newer perouterd whose rules differ, or no longer loadable.
        for (const auto& d : saved.diagnostics())
            spdlog::error("{} (last good main file from {})", d.str(), last_good_.path());
        return false;
    }
    report_skipped(saved);
    log_event(spdlog::level::critical, messages::kConfigRejected,
              fmt::format("the main configuration file is invalid: running its last good text "
                          "(saved in {}) with the drop-ins as they are",
                          last_good_.path()),
              {{"PEROUTER_LAST_GOOD", last_good_.path()}});
    on_last_good_ = true;
    current_ = std::make_shared<const config::Config>(std::move(*saved.config));
    apply("start (last good configuration)");
    after_apply(nullptr);
    return true;
}

void Service::check_file_modes(const config::Config& cfg) {
    std::set<std::string> files;
    if (cfg.underlay)
        for (const auto& n : cfg.underlay->neighbors)
            if (n.password)
                files.insert(n.pos.of("password").file);
    std::vector<std::string> warnings;
    for (const auto& f : files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0)
            continue;
        warnings.push_back(
            fmt::format("{} holds a BGP password and is readable by {} (mode "
                        "{:04o}); make it 0600",
                        f, (st.st_mode & S_IROTH) ? "everyone" : "its group", st.st_mode & 07777));
    }
    if (warnings != warnings_)
        for (const auto& w : warnings)
            spdlog::warn("{}", w);
    warnings_ = std::move(warnings);
}

void Service::after_apply(const config::Config* before) {
    // Names only, as views: a change next to 1000 VPNs logs one line, not a list of every VPN.
    std::unordered_set<std::string_view> had;
    if (before)
        for (std::string_view n : config::vpn_names(*before))
            had.insert(n);
    std::unordered_set<std::string_view> have;
    const std::vector<std::string_view> names = config::vpn_names(*current_);
    for (size_t i = 0; i < names.size(); ++i) {
        have.insert(names[i]);
        auto failed = last_.failed_owners.find(std::string(names[i]));
        if (failed == last_.failed_owners.end() && had.contains(names[i]))
            continue;
        const config::VpnRef v = config::vpn_at(*current_, i);
        std::vector<Field> f{{"PEROUTER_VPN", v.name}, {"PEROUTER_VNI", std::to_string(v.vni)}};
        if (failed != last_.failed_owners.end()) {
            f.emplace_back("PEROUTER_ERROR", failed->second);
            log_event(spdlog::level::err, messages::kVpnFailed,
                      fmt::format("vpn '{}' (vni {}) failed: {}", v.name, v.vni, failed->second),
                      f);
        } else {
            log_event(spdlog::level::info, messages::kVpnAdded,
                      fmt::format("vpn '{}' ({} {}) added from {}", v.name, to_string(v.kind),
                                  v.kind == VpnKind::L3vpn ? v.vrf : std::to_string(v.vni),
                                  v.source.str()),
                      f);
        }
    }
    if (before) {
        const std::vector<std::string_view> old_names = config::vpn_names(*before);
        for (size_t i = 0; i < old_names.size(); ++i) {
            if (have.contains(old_names[i]))
                continue;
            const config::VpnRef v = config::vpn_at(*before, i);
            log_event(spdlog::level::info, messages::kVpnRemoved,
                      fmt::format("vpn '{}' ({} {}) removed", v.name, to_string(v.kind),
                                  v.kind == VpnKind::L3vpn ? v.vrf : std::to_string(v.vni)),
                      {{"PEROUTER_VPN", v.name}, {"PEROUTER_VNI", std::to_string(v.vni)}});
        }
    }
    if (last_.errors.empty())
        log_event(spdlog::level::info, messages::kConfigLoaded,
                  fmt::format("configuration applied: {}", status_line()),
                  {{"PEROUTER_CHANGES", std::to_string(last_.changes)}});
}

ControlResult<void> Service::reload() {
    return reload_with(std::nullopt);
}

ControlResult<void> Service::reload_with(std::optional<config::Assembly> prepared) {
    // Every file closed before this reload was asked for is read by it: the events already
    // queued are handled first (config_watch.hpp), then the pending file reload is dropped.
    if (files_)
        files_->drain();
    files_why_.clear();
    if (files_defer_)
        sd_event_source_set_enabled(files_defer_, SD_EVENT_OFF);
    notify_reloading();
    state_ = RunState::Reloading;
    publish();
    auto r = load_and_apply("reload", std::move(prepared));
    if (state_ == RunState::Reloading)
        state_ = !current_              ? RunState::Failed
                 : last_.errors.empty() ? RunState::Running
                                        : RunState::Degraded;
    ready_owed_ = true;
    notify_ready_when_applied();
    publish();
    return r;
}

}  // namespace perouter::daemon
