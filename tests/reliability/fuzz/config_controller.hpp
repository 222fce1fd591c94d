// A dbus::Controller for fuzz_dbus_args that keeps its files in memory but checks every
// caller-supplied value the way perouterd's Service does (src/daemon/service.cpp): the VPN
// name (config::vpn_name_problem), the document's shape (config::check_vpn_document), the
// merged configuration (config::parse_with), and which file owns a VPN.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/load.hpp"
#include "config/model.hpp"
#include "dbus/controller.hpp"

namespace perouter::fuzz {

class ConfigController : public dbus::Controller {
  public:
    ConfigController();

    dbus::ControlResult<void> reload() override;
    Diagnostics validate(const std::string& toml) override;
    dbus::ControlResult<void> add_vpn(const std::string& name, const std::string& toml,
                                      bool persist) override;
    dbus::ControlResult<void> remove_vpn(const std::string& name) override;
    std::vector<dbus::VpnInfo> vpns() const override { return vpns_; }
    dbus::ManagerStatus status() const override { return status_; }
    nlohmann::json describe() const override;

  private:
    std::vector<config::ConfigText> texts() const;
    /// Re-parses the texts and republishes the VPN list; the texts are valid by construction.
    void publish();

    std::map<std::string, config::ConfigText> dropins_;  // by file name, merged in that order
    config::Config config_;
    std::vector<dbus::VpnInfo> vpns_;
    dbus::ManagerStatus status_;
};

}  // namespace perouter::fuzz
