#include "reconcile/action.hpp"

#include <fmt/format.h>

#include "common/overloaded.hpp"
#include "reconcile/observed.hpp"

namespace perouter::reconcile {

namespace {

std::string port_flags(const plan::BridgePortAttrs& p) {
    return fmt::format("bridge-port learning {} neigh_suppress {}", p.learning ? "on" : "off",
                       p.neigh_suppress ? "on" : "off");
}

// The attributes of one end, as `ip link` would spell them.
std::string spec_attrs(const plan::LinkSpec& s) {
    std::string out;
    auto add = [&out](std::string_view part) {
        if (!out.empty())
            out += ' ';
        out += part;
    };
    if (s.vrf_table)
        add(fmt::format("table {}", *s.vrf_table));
    if (s.vxlan) {
        add(fmt::format("id {} local {} dstport {} {}", s.vxlan->vni, s.vxlan->local.str(),
                        s.vxlan->port, s.vxlan->learning ? "learning" : "nolearning"));
    }
    if (s.macvlan)
        add(fmt::format("link host:{} mode {}", s.macvlan->parent,
                        config::to_string(s.macvlan->mode)));
    if (s.mtu)
        add(fmt::format("mtu {}", *s.mtu));
    if (s.mac)
        add(fmt::format("address {}", s.mac->str()));
    if (s.master)
        add(fmt::format("master {}", *s.master));
    if (s.bridge_port)
        add(port_flags(*s.bridge_port));
    if (s.addr_gen_mode_none)
        add("addrgenmode none");
    if (s.ipv6 != plan::Ipv6::AsCreated)
        add(s.ipv6 == plan::Ipv6::Off ? "ipv6 off" : "ipv6 on");
    add(s.up ? "up" : "down");
    return out;
}

std::string route_text(const plan::RouteSpec& r) {
    std::string out = r.type == plan::RouteType::Unreachable
                          ? fmt::format("unreachable {}", r.dst.str())
                          : r.dst.str();
    if (r.gateway)
        out += fmt::format(" via {}", r.gateway->str());
    if (r.dev)
        out += fmt::format(" dev {}", *r.dev);
    if (r.table != 254)
        out += fmt::format(" table {}", r.table);
    if (r.metric != 0)
        out += fmt::format(" metric {}", r.metric);
    return fmt::format("{} in {}", out, plan::to_string(r.side));
}

}  // namespace

std::string_view to_string(Phase p) {
    switch (p) {
        case Phase::Underlay:
            return "underlay";
        case Phase::Remove:
            return "remove";
        case Phase::Links:
            return "links";
        case Phase::Addresses:
            return "addresses";
    }
    return "unknown";
}

std::string_view link_noun(const DeleteLink& d) {
    return d.kind == plan::KernelKind::None ? "link" : plan::kernel_name(d.kind, d.other_kind);
}

std::string describe(const Action& action) {
    return std::visit(
        Overloaded{
            [](const CreateLink& c) {
                const auto& s = c.spec;
                if (c.peer) {
                    return fmt::format("create veth {} in {} with peer {} in {}: {}; peer: {}",
                                       s.name, plan::to_string(s.side), c.peer->name,
                                       plan::to_string(c.peer->side), spec_attrs(s),
                                       spec_attrs(*c.peer));
                }
                return fmt::format("create {} {} in {}: {}", plan::to_string(s.kind), s.name,
                                   plan::to_string(s.side), spec_attrs(s));
            },
            [](const ModifyLink& m) {
                std::string parts;
                auto add = [&parts](std::string_view part) {
                    if (!parts.empty())
                        parts += ", ";
                    parts += part;
                };
                if (m.mtu)
                    add(fmt::format("mtu {}", *m.mtu));
                if (m.mac)
                    add(fmt::format("address {}", m.mac->str()));
                if (m.alias)
                    add(fmt::format("alias {}", *m.alias));
                if (m.addr_gen_mode_none)
                    add("addrgenmode none");
                if (m.ipv6_off)
                    add(*m.ipv6_off ? "ipv6 off" : "ipv6 on");
                if (m.master)
                    add(m.master->empty() ? "nomaster" : "master " + *m.master);
                if (m.bridge_port)
                    add(port_flags(*m.bridge_port));
                if (m.up)
                    add(*m.up ? "up" : "down");
                return fmt::format("change {} {} in {}: {}", plan::to_string(m.kind), m.name,
                                   plan::to_string(m.side), parts);
            },
            [](const DeleteLink& d) {
                return fmt::format("delete {} {} in {} ({})", link_noun(d), d.name,
                                   plan::to_string(d.side), d.reason);
            },
            [](const AddAddress& a) {
                return fmt::format("add address {} to {} in {}", a.prefix.str(), a.link,
                                   plan::to_string(a.side));
            },
            [](const DeleteAddress& a) {
                return fmt::format("delete address {} from {} in {}", a.prefix.str(), a.link,
                                   plan::to_string(a.side));
            },
            [](const AddRoute& r) { return "add route " + route_text(r.route); },
            [](const DeleteRoute& r) { return "delete route " + route_text(r.route); },
            [](const SetSysctl& s) {
                std::string was = s.old_value ? fmt::format(" (was {})", *s.old_value) : "";
                return fmt::format("set sysctl {} = {} in {}{}", s.key, s.value,
                                   plan::to_string(s.side), was);
            },
            [](const MoveNicIn& m) {
                return fmt::format("move underlay interface {} into the router namespace", m.nic);
            },
            [](const MoveNicOut& m) {
                return fmt::format("move underlay interface {} back to the host", m.nic);
            },
            [](const SetRouterLoUp&) { return std::string("set lo up in router"); },
        },
        action.op);
}

}  // namespace perouter::reconcile
