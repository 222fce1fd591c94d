#include "dbus/authorization.hpp"

#include <fmt/format.h>

#include "dbus/bus.hpp"
#include "dbus/names.hpp"

namespace perouter::dbus {
namespace {

constexpr const char* kPolkitName = "org.freedesktop.PolicyKit1";
constexpr const char* kPolkitPath = "/org/freedesktop/PolicyKit1/Authority";
constexpr const char* kPolkitInterface = "org.freedesktop.PolicyKit1.Authority";
constexpr uint32_t kPolkitAllowUserInteraction = 1;

/// CheckAuthorization(subject (sa{sv}), action_id s, details a{ss}, flags u, cancellation_id s)
/// for the sender of `call` as a "system-bus-name" subject: polkitd then looks up the sender's
/// credentials itself instead of trusting ours.
Result<MessagePtr> polkit_request(sd_bus* bus, sd_bus_message* call, const char* action,
                                  bool interactive) {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus, &raw, kPolkitName, kPolkitPath, kPolkitInterface,
                                           "CheckAuthorization");
    if (r < 0)
        return fail(errno_error(-r, "create CheckAuthorization call"));
    MessagePtr m(raw);
    const char* sender = sd_bus_message_get_sender(call);
    if (sender == nullptr)
        return fail(std::string("the call has no sender"), EINVAL);
    uint32_t flags = interactive ? kPolkitAllowUserInteraction : 0;
    // Without auto-start the bus answers ServiceUnknown at once when polkitd is not running,
    // which is exactly "ask polkit only when it owns its name", in one round trip.
    if ((r = sd_bus_message_set_auto_start(m.get(), 0)) < 0 ||
        (r = sd_bus_message_append(m.get(), "(sa{sv})s", "system-bus-name", 1, "name", "s", sender,
                                   action)) < 0 ||
        (r = sd_bus_message_append(m.get(), "a{ss}us", 0, flags, "")) < 0)
        return fail(errno_error(-r, "build CheckAuthorization call"));
    return m;
}

}  // namespace

Result<bool> sender_is_root(sd_bus_message* call) {
    sd_bus_creds* raw = nullptr;
    // No SD_BUS_CREDS_AUGMENT: on a bus connection the message carries no credentials, so
    // sd-bus asks the bus daemon about the sender's unique name (GetConnectionCredentials).
    // Its UnixUserID is SO_PEERCRED's uid, i.e. the effective uid at connect(); sd-bus files it
    // as SD_BUS_CREDS_EUID. Asking for SD_BUS_CREDS_UID instead would get nothing from the bus
    // (the real uid exists only in /proc).
    int r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &raw);
    if (r < 0)
        return fail(errno_error(-r, "ask the bus for the sender's uid"));
    CredsPtr creds(raw);
    if ((sd_bus_creds_get_augmented_mask(creds.get()) & SD_BUS_CREDS_EUID) != 0)
        return fail(std::string("the sender's uid came from /proc, not from the bus"), EPERM);
    uid_t uid = 0;
    if ((r = sd_bus_creds_get_euid(creds.get(), &uid)) < 0)
        return fail(errno_error(-r, "read the sender's uid as the bus reports it"));
    return uid == 0;
}

Result<PolkitAnswer> parse_polkit_reply(sd_bus_message* reply) {
    int authorized = 0, challenge = 0;
    int r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, "bba{ss}");
    if (r >= 0)
        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
    if (r < 0)
        return fail(errno_error(-r, "parse CheckAuthorization reply"));
    // The details dictionary is informational; the two booleans decide.
    return PolkitAnswer{authorized != 0, challenge != 0};
}

struct Authorizer::Pending {
    Authorizer* owner = nullptr;
    MessagePtr call;
    SlotPtr slot;
    std::string what;
    std::string polkit_action;
    Action action;
};

Authorizer::Authorizer(sd_bus* bus, Log log) : bus_(bus), log_(std::move(log)) {}

Authorizer::~Authorizer() = default;

int Authorizer::deny(sd_bus_message* call, std::string_view what, const char* polkit_action,
                     std::string_view why) {
    std::string msg =
        fmt::format("Access denied: {} needs root or polkit authorization for {} ({})", what,
                    polkit_action, why);
    if (log_) {
        const char* sender = sd_bus_message_get_sender(call);
        log_(fmt::format("{} from {}: {}", what, sender ? sender : "?", msg));
    }
    return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED, "%s", msg.c_str());
}

int Authorizer::run_authorized(sd_bus_message* call, const char* polkit_action,
                               std::string_view what, Action action) {
    auto root = sender_is_root(call);
    if (!root.ok())
        return deny(call, what, polkit_action, root.error().message);
    if (*root)
        return action(call);

    bool interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
    auto request = polkit_request(bus_, call, polkit_action, interactive);
    if (!request.ok())
        return deny(call, what, polkit_action, request.error().message);

    auto p = std::make_unique<Pending>();
    p->owner = this;
    p->call.reset(sd_bus_message_ref(call));
    p->what = std::string(what);
    p->polkit_action = polkit_action;
    p->action = std::move(action);
    sd_bus_slot* slot = nullptr;
    // An authentication agent may wait for a human; give it as long as a long call.
    int r = sd_bus_call_async(bus_, &slot, request->get(), on_polkit_reply, p.get(),
                              interactive ? kLongCallTimeoutUsec : 0);
    if (r < 0)
        return deny(call, what, polkit_action, "cannot reach polkit");
    p->slot.reset(slot);
    pending_.push_back(std::move(p));
    // Replied later, from on_polkit_reply.
    return 1;
}

void Authorizer::finish(Pending* p) {
    pending_.remove_if([p](const std::unique_ptr<Pending>& q) { return q.get() == p; });
}

int Authorizer::on_polkit_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
    auto* p = static_cast<Pending*>(userdata);
    Authorizer* self = p->owner;
    sd_bus_message* call = p->call.get();
    const char* action = p->polkit_action.c_str();
    int r = 0;
    if (const sd_bus_error* e = sd_bus_message_get_error(reply)) {
        bool absent = sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN,
                                             SD_BUS_ERROR_NAME_HAS_NO_OWNER) > 0;
        r = self->deny(call, p->what, action,
                       absent
                           ? std::string("polkit is not running")
                           : fmt::format("polkit failed: {}", e->message ? e->message : e->name));
    } else if (auto answer = parse_polkit_reply(reply); !answer.ok()) {
        r = self->deny(call, p->what, action, answer.error().message);
    } else if (answer->authorized) {
        r = p->action(call);
    } else {
        r = self->deny(
            call, p->what, action,
            answer->challenge ? "interactive authentication required" : "polkit said no");
    }
    self->finish(p);
    // A failed reply concerns that caller only; the reply callback itself succeeded.
    (void)r;
    return 1;
}

}  // namespace perouter::dbus
