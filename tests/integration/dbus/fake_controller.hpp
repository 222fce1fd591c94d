// A Controller that keeps its state in memory and records what it was asked, so tests can
// drive the D-Bus layer without a router. Its methods run on the loop thread (called by the
// server); tests change it through EventLoopThread::run, as the daemon would.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dbus/controller.hpp"

namespace perouter::dbus::test {

class FakeController : public dbus::Controller {
  public:
    static constexpr const char* kMainFile = "/etc/perouter/perouter.toml";

    FakeController() {
        status_.state = "running";
        status_.underlay_state = dbus::UnderlayState::Established;
        status_.version = "0.1.0-test";
        vpns_.push_back(
            {"red", VpnKind::L3vni, 100, "red", dbus::VpnState::Configured, kMainFile, "", "", ""});
    }

    dbus::ControlResult<void> reload() override {
        std::unique_lock lock(mu_);
        calls_.push_back("reload");
        if (auto e = take_error())
            return fail(std::move(*e));
        ++reloads_;
        lock.unlock();
        changed();
        return {};
    }

    Diagnostics validate(const std::string& toml) override {
        std::lock_guard lock(mu_);
        calls_.push_back("validate " + toml);
        return validate_result_;
    }

    dbus::ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                      bool persist) override {
        std::unique_lock lock(mu_);
        calls_.push_back("add_vpn " + name + " " + (persist ? "persist " : "runtime ") + toml);
        if (auto e = take_error())
            return fail(std::move(*e));
        for (const auto& v : vpns_)
            if (v.name == name)
                return fail(
                    dbus::ControlError{dbus::ControlErrorKind::VpnExists,
                                       "VPN '" + name + "' already exists in " + v.source.str(),
                                       {}});
        std::string dir = persist ? "/etc/perouter/perouter.d/" : "/run/perouter/perouter.d/";
        vpns_.push_back({name, VpnKind::L2vni, next_vni_++, "", dbus::VpnState::Configured,
                         dir + "50-" + name + ".toml", "", "", ""});
        lock.unlock();
        changed();
        return {};
    }

    dbus::ControlResult<void> remove_vpn(const std::string& name) override {
        std::unique_lock lock(mu_);
        calls_.push_back("remove_vpn " + name);
        if (auto e = take_error())
            return fail(std::move(*e));
        for (auto it = vpns_.begin(); it != vpns_.end(); ++it) {
            if (it->name != name)
                continue;
            if (it->source == kMainFile)
                return fail(dbus::ControlError{
                    dbus::ControlErrorKind::ReadOnly,
                    "VPN '" + name + "' is defined in " + it->source.str() + ", not by the API",
                    {}});
            vpns_.erase(it);
            lock.unlock();
            changed();
            return {};
        }
        return fail(dbus::ControlError{
            dbus::ControlErrorKind::NoSuchVpn, "No VPN named '" + name + "'", {}});
    }

    std::vector<dbus::VpnInfo> vpns() const override {
        std::lock_guard lock(mu_);
        return vpns_;
    }
    dbus::ManagerStatus status() const override {
        std::lock_guard lock(mu_);
        return status_;
    }
    nlohmann::json describe() const override {
        std::lock_guard lock(mu_);
        nlohmann::json j;
        j["state"] = status_.state;
        j["vpns"] = nlohmann::json::array();
        for (const auto& v : vpns_)
            j["vpns"].push_back({{"name", v.name}, {"vni", v.vni}});
        return j;
    }

    // Test side. Call mutate/announce on the loop thread.
    template <class F>
    void mutate(F&& f, bool announce = true) {
        {
            std::lock_guard lock(mu_);
            f(status_, vpns_);
        }
        if (announce)
            changed();
    }
    void announce() { changed(); }
    void fail_next(dbus::ControlError e) {
        std::lock_guard lock(mu_);
        next_error_ = std::move(e);
    }
    void set_validate_result(Diagnostics d) {
        std::lock_guard lock(mu_);
        validate_result_ = std::move(d);
    }
    std::vector<std::string> calls() const {
        std::lock_guard lock(mu_);
        return calls_;
    }
    int reloads() const {
        std::lock_guard lock(mu_);
        return reloads_;
    }

  private:
    std::optional<dbus::ControlError> take_error() {
        auto e = std::move(next_error_);
        next_error_.reset();
        return e;
    }

    mutable std::mutex mu_;
    dbus::ManagerStatus status_;
    std::vector<dbus::VpnInfo> vpns_;
    std::optional<dbus::ControlError> next_error_;
    Diagnostics validate_result_;
    std::vector<std::string> calls_;
    uint32_t next_vni_ = 200;
    int reloads_ = 0;
};

}  // namespace perouter::dbus::test
