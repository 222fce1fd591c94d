// A private, system-bus-like dbus-daemon for one test process: EXTERNAL auth, deny-by-default
// policy, only root and nobody may connect, and the SHIPPED dist/dbus policy included, so the
// policy file perouter installs is what these tests exercise. The daemon is a direct child
// (--nofork) with PR_SET_PDEATHSIG, so it dies with the test even if the test crashes.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/result.hpp"

namespace perouter::dbus::test {

class PrivateBus {
  public:
    /// `extra_policy` is pasted into the configuration after the shipped policy (e.g. to let
    /// root own org.freedesktop.PolicyKit1 for the fake polkit).
    static Result<std::unique_ptr<PrivateBus>> start(const std::string& extra_policy = {});
    ~PrivateBus();

    const std::string& address() const { return address_; }
    pid_t pid() const { return pid_; }

  private:
    PrivateBus() = default;
    std::string dir_;
    std::string address_;
    pid_t pid_ = -1;
};

}  // namespace perouter::dbus::test
