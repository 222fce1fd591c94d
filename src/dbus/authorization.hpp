// Who may change the router. Read-only calls are open to everyone (the vtables mark them
// SD_BUS_VTABLE_UNPRIVILEGED). Mutating calls are also marked unprivileged, because sd-bus's
// built-in check would deny a non-root caller before polkit could be asked; they go through
// Authorizer::run_authorized instead:
//   1. the sender's uid as the bus daemon reports it is 0 -> allowed;
//   2. otherwise, polkit's CheckAuthorization for the action, if polkitd owns its name;
//   3. otherwise AccessDenied.
// Only what the bus vouches for counts: the uid dbus-daemon took from SO_PEERCRED when the
// sender connected (GetConnectionUnixUser of its unique name, which is never reused), and
// polkit, which looks the sender up by that name itself. Nothing is read from /proc/<pid>: a
// caller can send its call and then exec a setuid program under the same pid before the call
// is looked at, and /proc would then show root (and every capability). For the same reason
// CAP_NET_ADMIN alone grants nothing: dbus-daemon does not report capabilities, so they could
// only come from /proc; a service that needs it runs as root or gets a polkit rule.
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

/// True when the bus reports the sender of `call` as uid 0. The uid is the bus daemon's
/// (SO_PEERCRED at connection time); a field sd-bus could only have filled in from /proc is an
/// error, never an answer.
Result<bool> sender_is_root(sd_bus_message* call);

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

    /// Runs `action` for `call` now if the sender is root, later if polkit allows
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
