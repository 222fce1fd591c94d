// Who may change the router. Read-only calls are open to everyone (the vtables mark them
// SD_BUS_VTABLE_UNPRIVILEGED). Mutating calls are also marked unprivileged, because sd-bus's
// built-in check would deny a non-root caller before polkit could be asked; they go through
// Authorizer::run_authorized instead:
//   1. sender's effective uid 0, or CAP_NET_ADMIN in its effective set -> allowed;
//   2. otherwise, polkit's CheckAuthorization for the action, if polkitd owns its name;
//   3. otherwise AccessDenied.
// The polkit call is asynchronous: with AllowUserInteraction an authentication agent may wait
// for a password, and the daemon's single event loop must keep serving meanwhile.
#pragma once

#include <systemd/sd-bus.h>

#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace perouter::dbus {

/// True when the sender of `call` has euid 0 or CAP_NET_ADMIN in its effective set. The uid
/// comes from the bus (SO_PEERCRED); dbus-daemon does not report capabilities, so they are read
/// from /proc/<pid>/status (SD_BUS_CREDS_AUGMENT). That read can race with the sender exiting
/// and its pid being reused; the caller would then need to have started a privileged process
/// with that pid in the window, which a caller without privileges cannot arrange reliably — the
/// same trade-off sd-bus documents for augmented credentials.
Result<bool> sender_is_privileged(sd_bus_message* call);

struct PolkitAnswer {
    bool authorized = false;
    bool challenge = false;  // polkit would allow it after interactive authentication
};

/// Parses a CheckAuthorization reply ((bba{ss})).
Result<PolkitAnswer> parse_polkit_reply(sd_bus_message* reply);

class Authorizer {
  public:
    /// Replies to the call itself (method return or error); returns what a vtable handler
    /// returns (>= 0, or a negative errno when not even a reply could be sent).
    using Action = std::function<int(sd_bus_message* call)>;
    using Log = std::function<void(std::string_view)>;

    Authorizer(sd_bus* bus, Log log);
    Authorizer(const Authorizer&) = delete;
    Authorizer& operator=(const Authorizer&) = delete;
    /// Drops pending polkit queries; their callers get no reply (the bus tells them NoReply
    /// when this connection closes).
    ~Authorizer();

    /// Runs `action` for `call` now if the sender is privileged, later if polkit allows
    /// `polkit_action`, or replies AccessDenied. `what` names the call in messages ("AddVpn").
    int run_authorized(sd_bus_message* call, const char* polkit_action, std::string_view what,
                       Action action);

    /// Number of calls waiting for polkit (for tests and shutdown decisions).
    size_t pending() const { return pending_.size(); }

  private:
    struct Pending;
    static int on_polkit_reply(sd_bus_message* reply, void* userdata, sd_bus_error* ret_error);
    int deny(sd_bus_message* call, std::string_view what, const char* polkit_action,
             std::string_view why);
    void finish(Pending* p);

    sd_bus* bus_;
    Log log_;
    std::list<std::unique_ptr<Pending>> pending_;
};

}  // namespace perouter::dbus
