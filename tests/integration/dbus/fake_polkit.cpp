#include "fake_polkit.hpp"

namespace perouter::dbus::test {
namespace {

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", FakePolkit::on_check,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

}  // namespace

Result<std::unique_ptr<FakePolkit>> FakePolkit::start(sd_event* event, const std::string& address) {
    auto bus = open_bus(address);
    if (!bus.ok())
        return fail(std::move(bus).error());
    std::unique_ptr<FakePolkit> p(new FakePolkit());
    p->bus_ = std::move(*bus);
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_object_vtable(p->bus_.get(), &slot, "/org/freedesktop/PolicyKit1/Authority",
                                     "org.freedesktop.PolicyKit1.Authority", kVtable, p.get());
    if (r < 0)
        return fail(errno_error(-r, "add polkit vtable"));
    p->slot_.reset(slot);
    if ((r = sd_bus_attach_event(p->bus_.get(), event, 0)) < 0)
        return fail(errno_error(-r, "attach polkit bus"));
    if ((r = sd_bus_request_name(p->bus_.get(), "org.freedesktop.PolicyKit1", 0)) < 0)
        return fail(errno_error(-r, "own org.freedesktop.PolicyKit1"));
    return p;
}

void FakePolkit::release(bool authorized) {
    held_ = false;
    for (auto& m : waiting_)
        sd_bus_reply_method_return(m.get(), "(bba{ss})", authorized ? 1 : 0, 0, 0);
    waiting_.clear();
}

int FakePolkit::on_check(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakePolkit*>(userdata);
    PolkitQuery q;
    const char* kind = nullptr;
    int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_STRUCT, "sa{sv}");
    if (r < 0 || (r = sd_bus_message_read(m, "s", &kind)) < 0)
        return r;
    q.subject_kind = kind;
    if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}")) < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
        const char* key = nullptr;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0)
            return r;
        if (std::string(key) == "name") {
            const char* name = nullptr;
            if ((r = sd_bus_message_read(m, "v", "s", &name)) < 0)
                return r;
            q.subject_name = name;
        } else if ((r = sd_bus_message_skip(m, "v")) < 0) {
            return r;
        }
        if ((r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
        (r = sd_bus_message_exit_container(m)) < 0)
        return r;
    const char* action = nullptr;
    if ((r = sd_bus_message_read(m, "s", &action)) < 0 ||
        (r = sd_bus_message_skip(m, "a{ss}")) < 0 ||
        (r = sd_bus_message_read(m, "u", &q.flags)) < 0)
        return r;
    q.action = action;
    {
        std::lock_guard lock(self->mu_);
        self->queries_.push_back(q);
    }
    if (self->held_) {
        self->waiting_.emplace_back(sd_bus_message_ref(m));
        return 1;
    }
    return sd_bus_reply_method_return(m, "(bba{ss})", self->authorized_.load() ? 1 : 0,
                                      self->challenge_.load() ? 1 : 0, 0);
}

}  // namespace perouter::dbus::test
