#include "reconcile/diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace perouter::reconcile {

namespace {

using plan::LinkKind;
using plan::LinkSpec;
using Key = std::pair<Side, std::string>;

// Deletions run ports first, then bridges, then VRFs: the reverse of creation order.
int removal_rank(plan::KernelKind kind) {
    if (kind == plan::KernelKind::Veth || kind == plan::KernelKind::Vxlan)
        return 0;
    if (kind == plan::KernelKind::Vrf)
        return 2;
    return 1;
}

// For messages: the observed link's kind, "none" for a NIC.
std::string_view kind_name(const ObservedLink& l) {
    return plan::kernel_name(l.kind, l.other_kind);
}

// Why a link cannot be changed in place, or "" when it can. The kernel refuses to change a
// VXLAN's id, local address, port or learning flag, a VRF's table, or a macvlan's parent and
// mode, after creation. `parent` is the host link a macvlan should hang off (observed).
std::string recreate_reason(const LinkSpec& spec, const ObservedLink& obs,
                            const ObservedLink* parent) {
    if (!plan::is_kind(obs.kind, spec.kind))
        return fmt::format("recreate: kind {} -> {}", kind_name(obs), plan::to_string(spec.kind));
    if (spec.kind == LinkKind::Vxlan && spec.vxlan) {
        if (!obs.vxlan)
            return "recreate: vxlan attributes unknown";
        const auto &want = *spec.vxlan, &have = *obs.vxlan;
        if (want.vni != have.vni)
            return fmt::format("recreate: id {} -> {}", have.vni, want.vni);
        if (want.local != have.local)
            return fmt::format("recreate: local {} -> {}", have.local.str(), want.local.str());
        if (want.port != have.port)
            return fmt::format("recreate: dstport {} -> {}", have.port, want.port);
        if (want.learning != have.learning)
            return fmt::format("recreate: learning {} -> {}", have.learning ? "on" : "off",
                               want.learning ? "on" : "off");
    }
    if (spec.kind == LinkKind::Vrf && spec.vrf_table && obs.vrf_table != spec.vrf_table)
        return fmt::format("recreate: table {} -> {}",
                           obs.vrf_table ? fmt::to_string(*obs.vrf_table) : "none",
                           *spec.vrf_table);
    if (spec.kind == LinkKind::Macvlan && spec.macvlan) {
        if (parent != nullptr && obs.parent_ifindex != parent->ifindex)
            return fmt::format("recreate: parent -> {}", spec.macvlan->parent);
        if (obs.macvlan_mode != spec.macvlan->mode)
            return fmt::format("recreate: mode {} -> {}",
                               obs.macvlan_mode ? config::to_string(*obs.macvlan_mode) : "unknown",
                               config::to_string(spec.macvlan->mode));
    }
    return "";
}

plan::RouteSpec to_spec(const ObservedRoute& r) {
    plan::RouteSpec s;
    s.side = r.side;
    s.table = r.table;
    s.dst = r.dst;
    s.type = r.type;
    s.gateway = r.gateway;
    s.dev = r.dev;
    s.metric = r.metric;
    return s;
}

bool same_route(const plan::RouteSpec& want, const ObservedRoute& have) {
    return want.side == have.side && want.table == have.table && want.dst == have.dst &&
           want.type == have.type && want.gateway == have.gateway && want.dev == have.dev &&
           plan::kernel_metric(want) == have.metric;
}

class Differ {
  public:
    Differ(const plan::DesiredState& desired, const Observed& observed)
        : d_(desired), o_(observed) {}

    DiffResult run() {
        for (const auto& spec : d_.links)
            desired_links_[{spec.side, spec.name}] = &spec;
        for (const auto& l : o_.links)
            observed_links_.emplace(Key{l.side, l.name}, &l);
        plan_links();
        new_bridges_up_before_their_ports();
        plan_removed_links();
        plan_underlay();
        plan_external_links();
        plan_addresses();
        plan_routes();

        DiffResult r;
        auto append = [&r](std::vector<Action>& v) {
            for (auto& a : v)
                r.actions.push_back(std::move(a));
        };
        // Router side first (a veth's host end goes with its router end), then by kind; each
        // side's deletions are contiguous, so the executor can send them as one request.
        std::stable_sort(
            remove_links_.begin(), remove_links_.end(), [](const Action& a, const Action& b) {
                const auto& x = std::get<DeleteLink>(a.op);
                const auto& y = std::get<DeleteLink>(b.op);
                const auto key = [](const DeleteLink& d) {
                    return std::pair{d.side == plan::Side::Router ? 0 : 1, removal_rank(d.kind)};
                };
                return key(x) < key(y);
            });
        append(underlay_);
        append(remove_routes_);
        append(remove_addresses_);
        append(remove_links_);
        append(links_);
        append(addresses_);
        r.problems = std::move(problems_);
        return r;
    }

  private:
    // --- links -------------------------------------------------------------------------

    void plan_links() {
        // A veth pair is created in one request, so it is handled once both ends' positions
        // are known: changes in place happen at each end's position, a (re)creation at the
        // later end's position, when the masters of both ends exist.
        std::map<Key, size_t> position;
        for (size_t i = 0; i < d_.links.size(); ++i)
            position[{d_.links[i].side, d_.links[i].name}] = i;

        for (size_t i = 0; i < d_.links.size(); ++i) {
            const LinkSpec& spec = d_.links[i];
            if (spec.kind != LinkKind::Veth) {
                plan_single_link(spec);
                continue;
            }
            if (!spec.veth_peer || !spec.veth_peer_side) {
                problems_.push_back(fmt::format("veth '{}' in {} has no peer in the plan; skipped",
                                                spec.name, plan::to_string(spec.side)));
                continue;
            }
            auto peer_it = position.find({*spec.veth_peer_side, *spec.veth_peer});
            if (peer_it == position.end()) {
                problems_.push_back(
                    fmt::format("veth '{}' in {}: its peer '{}' is not in the plan; skipped",
                                spec.name, plan::to_string(spec.side), *spec.veth_peer));
                continue;
            }
            const LinkSpec& peer = d_.links[peer_it->second];
            bool first = i < peer_it->second;
            plan_veth_end(spec, peer, first);
        }
    }

    bool blocked_by_foreign(const LinkSpec& spec) {
        const ObservedLink* obs = link(spec.side, spec.name);
        if (obs == nullptr || is_owned(*obs))
            return false;
        if (skipped_.insert({spec.side, spec.name}).second) {
            std::string why = spec.side == Side::Host
                                  ? fmt::format(" (its alias is not '{}')", plan::kLinkAlias)
                                  : "";
            problems_.push_back(fmt::format(
                "link '{}' in the {} namespace exists and is not ours{}; leaving it alone",
                spec.name, plan::to_string(spec.side), why));
        }
        return true;
    }

    void plan_single_link(const LinkSpec& spec) {
        if (blocked_by_foreign(spec))
            return;
        const ObservedLink* parent = nullptr;
        if (spec.macvlan) {
            // Without its parent in the host the macvlan cannot exist (the kernel deletes it
            // with the parent); plan_external_links() reports the missing parent.
            parent = link(Side::Host, spec.macvlan->parent);
            if (parent == nullptr) {
                skipped_.insert({spec.side, spec.name});
                return;
            }
        }
        const ObservedLink* obs = link(spec.side, spec.name);
        if (obs == nullptr) {
            create(spec, std::nullopt);
            return;
        }
        if (auto reason = recreate_reason(spec, *obs, parent); !reason.empty()) {
            remove(*obs, reason, spec.owner);
            create(spec, std::nullopt);
            return;
        }
        modify(spec, *obs);
    }

    void plan_veth_end(const LinkSpec& spec, const LinkSpec& peer, bool first) {
        const ObservedLink* a = link(spec.side, spec.name);
        const ObservedLink* b = link(peer.side, peer.name);
        if (first) {
            // Check both ends once, so a foreign end blocks the whole pair.
            bool blocked = blocked_by_foreign(spec);
            blocked = blocked_by_foreign(peer) || blocked;
            if (blocked) {
                skipped_.insert({spec.side, spec.name});
                skipped_.insert({peer.side, peer.name});
            }
        }
        if (skipped_.contains({spec.side, spec.name}))
            return;

        bool neither = a == nullptr && b == nullptr;
        std::string reason = neither ? "" : veth_pair_problem(spec, peer, a, b);
        if (!neither && reason.empty()) {
            modify(spec, *a);
            return;
        }
        if (first) {
            if (a != nullptr)
                remove(*a, reason, spec.owner);
            if (b != nullptr)
                remove(*b, reason, peer.owner);
            return;
        }
        create(peer, spec);
    }

    // "" when both ends exist as veths and name each other, else why the pair is recreated.
    static std::string veth_pair_problem(const LinkSpec& spec, const LinkSpec& peer,
                                         const ObservedLink* a, const ObservedLink* b) {
        for (const ObservedLink* l : {a, b})
            if (l != nullptr && l->kind != plan::KernelKind::Veth)
                return fmt::format("recreate: kind {} -> veth", kind_name(*l));
        if (a == nullptr || b == nullptr)
            return fmt::format("recreate: peer {} missing", a == nullptr ? spec.name : peer.name);
        if (a->veth_peer != peer.name || a->veth_peer_side != peer.side ||
            b->veth_peer != spec.name || b->veth_peer_side != spec.side)
            return fmt::format("recreate: {} and {} are not peers", spec.name, peer.name);
        return "";
    }

    bool master_available(Side side, const std::string& master) const {
        Key k{side, master};
        if (desired_links_.contains(k))
            return !skipped_.contains(k) || link(side, master);
        return link(side, master) != nullptr && !gone_.contains(k);
    }

    bool is_vrf(Side side, const std::string& name) const {
        auto it = desired_links_.find({side, name});
        if (it != desired_links_.end())
            return it->second->kind == LinkKind::Vrf;
        const ObservedLink* l = link(side, name);
        return l != nullptr && l->kind == plan::KernelKind::Vrf;
    }

    bool is_external(Side side, const std::string& name) const {
        return std::any_of(
            d_.external_links.begin(), d_.external_links.end(),
            [&](const plan::ExternalLink& e) { return e.side == side && e.name == name; });
    }

    // Drops a master that cannot exist after this diff (a missing external bridge), so that
    // the rest of the link is still created; the missing master is reported.
    LinkSpec with_available_master(const LinkSpec& spec) {
        LinkSpec s = spec;
        if (s.master && !master_available(s.side, *s.master)) {
            if (!is_external(s.side, *s.master))
                problems_.push_back(fmt::format(
                    "link '{}' in {}: master '{}' does not exist; leaving it unattached", s.name,
                    plan::to_string(s.side), *s.master));
            s.master.reset();
            s.bridge_port.reset();
        }
        return s;
    }

    void create(const LinkSpec& spec, const std::optional<LinkSpec>& peer) {
        CreateLink c{with_available_master(spec), std::nullopt};
        fresh_.insert({spec.side, spec.name});
        if (peer) {
            c.peer = with_available_master(*peer);
            fresh_.insert({peer->side, peer->name});
        }
        links_.push_back(Action{Phase::Links, spec.owner, std::move(c)});
    }

    void remove(const ObservedLink& obs, const std::string& reason, const std::string& owner) {
        Key k{obs.side, obs.name};
        if (!gone_.insert(k).second)
            return;  // already going, with its veth peer
        if (obs.veth_peer && obs.veth_peer_side)
            gone_.insert({*obs.veth_peer_side, *obs.veth_peer});
        remove_links_.push_back(
            Action{Phase::Remove, owner,
                   DeleteLink{obs.side, obs.name, obs.kind, obs.other_kind, reason}});
    }

    void modify(const LinkSpec& spec, const ObservedLink& obs) {
        ModifyLink m;
        m.side = spec.side;
        m.name = spec.name;
        m.kind = spec.kind;  // recreate_reason and veth_pair_problem: obs.kind is spec.kind
        bool will_have_master = obs.master.has_value();
        if (spec.master) {
            if (master_available(spec.side, *spec.master)) {
                // A recreated master has released its ports: enslave again.
                if (obs.master != spec.master || fresh_.contains({spec.side, *spec.master}))
                    m.master = *spec.master;
                will_have_master = true;
            } else if (!is_external(spec.side, *spec.master)) {
                problems_.push_back(fmt::format("link '{}' in {}: master '{}' does not exist",
                                                spec.name, plan::to_string(spec.side),
                                                *spec.master));
            }
        } else if (obs.master && !spec.ovs_port) {
            // An OVS port's kernel master (ovs-system) is Open vSwitch's business.
            m.master = "";
            will_have_master = false;
        }
        if (spec.mtu && obs.mtu != *spec.mtu)
            m.mtu = spec.mtu;
        if (spec.mac && obs.mac != spec.mac)
            m.mac = spec.mac;
        if (spec.up != obs.up)
            m.up = spec.up;
        if (spec.addr_gen_mode_none && !obs.addr_gen_mode_none)
            m.addr_gen_mode_none = true;
        const bool off = spec.ipv6 == plan::Ipv6::Off;
        if (spec.ipv6 != plan::Ipv6::AsCreated && obs.ipv6_off.has_value() && *obs.ipv6_off != off)
            m.ipv6_off = off;
        if (obs.alias != plan::kLinkAlias)
            m.alias = std::string(plan::kLinkAlias);
        // Enslaving resets the port flags to the bridge's defaults.
        if (spec.bridge_port && will_have_master &&
            ((m.master && !m.master->empty()) || obs.bridge_port != spec.bridge_port))
            m.bridge_port = spec.bridge_port;

        if (m.master && !m.master->empty() && is_vrf(spec.side, *m.master))
            vrf_enslaved_.insert({spec.side, spec.name});
        bool changed = m.master || m.mtu || m.mac || m.up || m.addr_gen_mode_none ||
                       m.ipv6_off.has_value() || m.alias || m.bridge_port;
        if (changed)
            links_.push_back(Action{Phase::Links, spec.owner, std::move(m)});
    }

    // A new bridge and its new ports come up in the order `ip link add` + `set master` + `set
    // up` gives them: the bridge is created down, its ports join it down, the bridge comes up
    // (no port has carrier yet, so neither has the bridge) and then its ports (router side first).
    // The bridge gets carrier once, when its first port forwards, and the kernel reacts at once
    // (linkwatch). Up before its ports, an empty bridge has carrier, every port that joins takes
    // it away and gives it back, and each change makes the kernel walk the namespace's whole IPv6
    // routing table (rt6_sync_up, rt6_sync_down_dev), a table that grows with the links present;
    // up after its ports are up, it has carrier from the moment it opens and the kernel reports
    // its state up to a second later.
    void new_bridges_up_before_their_ports() {
        std::map<Key, size_t> last_port;  // bridge -> index in links_ of the last port joining it
        auto joins = [&](Side side, const std::optional<std::string>& master, size_t i) {
            if (master && !master->empty())
                last_port[{side, *master}] = i;
        };
        for (size_t i = 0; i < links_.size(); ++i) {
            if (const auto* c = std::get_if<CreateLink>(&links_[i].op)) {
                joins(c->spec.side, c->spec.master, i);
                if (c->peer)
                    joins(c->peer->side, c->peer->master, i);
            } else if (const auto* m = std::get_if<ModifyLink>(&links_[i].op)) {
                joins(m->side, m->master, i);
            }
        }
        auto up = [](const LinkSpec& l, const std::string& owner) {
            ModifyLink m;
            m.side = l.side;
            m.name = l.name;
            m.kind = l.kind;
            m.up = true;
            return Action{Phase::Links, owner, std::move(m)};
        };
        // Every creation and join first, then the new bridges come up, then their ports
        // (router side first): the floor's order (`ip -batch` of the links, then of the ups).
        std::vector<Action> bridges_up, ports_up;
        std::set<Key> deferred;  // new bridges that come up after their new ports joined
        for (size_t i = 0; i < links_.size(); ++i) {
            auto* c = std::get_if<CreateLink>(&links_[i].op);
            if (c == nullptr || c->peer || c->spec.kind != LinkKind::Bridge || !c->spec.up)
                continue;
            auto it = last_port.find({c->spec.side, c->spec.name});
            if (it == last_port.end() || it->second < i)
                continue;
            c->spec.up = false;
            deferred.insert(Key{c->spec.side, c->spec.name});
            bridges_up.push_back(up(c->spec, links_[i].owner));
        }
        if (deferred.empty())
            return;
        for (auto& a : links_) {
            auto* c = std::get_if<CreateLink>(&a.op);
            if (c == nullptr)
                continue;
            for (LinkSpec* end : {&c->spec, c->peer ? &*c->peer : nullptr}) {
                if (end == nullptr || !end->up || !end->master ||
                    !deferred.contains({end->side, *end->master}))
                    continue;
                end->up = false;
                ports_up.push_back(up(*end, a.owner));
            }
        }
        std::stable_partition(ports_up.begin(), ports_up.end(), [](const Action& a) {
            return std::get<ModifyLink>(a.op).side == Side::Router;
        });
        links_.reserve(links_.size() + bridges_up.size() + ports_up.size());
        for (auto* list : {&bridges_up, &ports_up})
            for (auto& a : *list)
                links_.push_back(std::move(a));
    }

    void plan_removed_links() {
        for (const auto& l : o_.links) {
            if (!is_owned(l) || is_underlay_nic(l))
                continue;
            if (desired_links_.contains({l.side, l.name}))
                continue;
            remove(l, "not desired", "");
        }
    }

    // --- underlay ------------------------------------------------------------------------

    bool wants_router() const {
        auto on_router = [](const auto& v) {
            return std::any_of(v.begin(), v.end(),
                               [](const auto& x) { return x.side == Side::Router; });
        };
        return !d_.underlay_nics.empty() || on_router(d_.links) || on_router(d_.addresses) ||
               on_router(d_.routes) || on_router(d_.sysctls);
    }

    bool link_exists_after(Side side, const std::string& name) const {
        Key k{side, name};
        if (fresh_.contains(k))
            return true;
        if (side == Side::Router && nics_moving_in_.contains(name))
            return true;
        if (skipped_.contains(k))
            return false;
        return link(side, name) != nullptr && !gone_.contains(k);
    }

    void plan_underlay() {
        bool router = wants_router();
        if (router && !o_.router_ns_exists)
            problems_.push_back("the router namespace does not exist");

        // NIC moves are decided first: sysctls of a NIC that is still in the host wait for it.
        std::vector<Action> nics;
        for (const auto& nic : d_.underlay_nics) {
            const ObservedLink* in_router = link(Side::Router, nic);
            if (in_router != nullptr && in_router->group == plan::kUnderlayGroup && in_router->up)
                continue;
            if (in_router == nullptr && link(Side::Host, nic) == nullptr) {
                problems_.push_back(fmt::format(
                    "underlay interface '{}' not found in the host or router namespace", nic));
                continue;
            }
            if (in_router == nullptr)
                nics_moving_in_.insert(nic);
            nics.push_back(Action{Phase::Underlay, "underlay", MoveNicIn{nic}});
        }
        for (const auto& l : o_.links) {
            if (!is_underlay_nic(l))
                continue;
            if (std::find(d_.underlay_nics.begin(), d_.underlay_nics.end(), l.name) !=
                d_.underlay_nics.end())
                continue;
            nics.push_back(Action{Phase::Underlay, "underlay", MoveNicOut{l.name}});
        }

        for (const auto& s : d_.sysctls) {
            auto iface = plan::sysctl_interface(s.key);
            if (iface && (fresh_.contains({s.side, *iface}) || !link(s.side, *iface))) {
                // The interface appears later (created in the Links phase, or moved in); a
                // recreated one starts from the kernel defaults, whatever was read before.
                if (link_exists_after(s.side, *iface))
                    addresses_.push_back(
                        Action{Phase::Addresses, "", SetSysctl{s.side, s.key, s.value, {}}});
                continue;
            }
            auto it = o_.sysctls.find({s.side, s.key});
            if (it == o_.sysctls.end()) {
                // Optional: the kernel may lack it (a feature it does not have, a module not
                // loaded: bridge-nf-call-* without br_netfilter); nothing to set, nothing wrong.
                if (s.optional)
                    continue;
                underlay_.push_back(
                    Action{Phase::Underlay, "underlay", SetSysctl{s.side, s.key, s.value, {}}});
                continue;
            }
            if (it->second != normalize_sysctl(s.value))
                underlay_.push_back(Action{Phase::Underlay, "underlay",
                                           SetSysctl{s.side, s.key, s.value, it->second}});
        }

        if (router) {
            const ObservedLink* lo = link(Side::Router, "lo");
            if (lo == nullptr || !lo->up)
                underlay_.push_back(Action{Phase::Underlay, "underlay", SetRouterLoUp{}});
        }
        for (auto& a : nics)
            underlay_.push_back(std::move(a));
    }

    void plan_external_links() {
        for (const auto& e : d_.external_links) {
            if (std::find(d_.underlay_nics.begin(), d_.underlay_nics.end(), e.name) !=
                d_.underlay_nics.end())
                continue;
            if (link(e.side, e.name) != nullptr)
                continue;
            bool is_master = std::any_of(d_.links.begin(), d_.links.end(), [&](const LinkSpec& s) {
                return s.side == e.side && s.master == e.name;
            });
            problems_.push_back(fmt::format("external {} '{}' not found in the {} namespace",
                                            is_master ? "bridge" : "link", e.name,
                                            plan::to_string(e.side)));
        }
    }

    // --- addresses and routes ----------------------------------------------------------------

    void plan_addresses() {
        for (const auto& a : d_.addresses) {
            bool on_lo = a.side == Side::Router && a.link == "lo";
            Key link{a.side, a.link};
            if (!on_lo && !link_exists_after(a.side, a.link)) {
                if (!skipped_.contains(link))
                    problems_.push_back(fmt::format("address {}: link '{}' not found in {}",
                                                    a.prefix.str(), a.link,
                                                    plan::to_string(a.side)));
                continue;
            }
            bool present = std::any_of(
                o_.addresses.begin(), o_.addresses.end(), [&](const ObservedAddress& o) {
                    return o.side == a.side && o.link == a.link && o.prefix == a.prefix;
                });
            // A new link has no addresses yet; enslaving to a VRF drops the IPv6 ones.
            if (fresh_.contains(link) || (!a.prefix.is_v4() && vrf_enslaved_.contains(link)))
                present = false;
            if (present)
                continue;
            Phase phase = on_lo ? Phase::Underlay : Phase::Addresses;
            auto& out = on_lo ? underlay_ : addresses_;
            out.push_back(Action{phase, a.owner, AddAddress{a.side, a.link, a.prefix}});
        }
        for (const auto& o : o_.addresses) {
            if (!is_owned_address(o, o_) || gone_.contains({o.side, o.link}) || leased(o))
                continue;
            bool wanted = std::any_of(d_.addresses.begin(), d_.addresses.end(), [&](const auto& a) {
                return a.side == o.side && a.link == o.link && a.prefix == o.prefix;
            });
            if (!wanted)
                remove_addresses_.push_back(
                    Action{Phase::Remove, "", DeleteAddress{o.side, o.link, o.prefix}});
        }
    }

    /// An IPv4 address on the link a DHCP client serves is the client's (its lease).
    bool leased(const ObservedAddress& o) const {
        return d_.dhcp && o.side == Side::Router && o.link == d_.dhcp->link && o.prefix.is_v4();
    }

    void plan_routes() {
        for (const auto& r : d_.routes) {
            if (r.dev && !link_exists_after(r.side, *r.dev)) {
                problems_.push_back(fmt::format("route {}: device '{}' not found in {}",
                                                r.dst.str(), *r.dev, plan::to_string(r.side)));
                continue;
            }
            bool present = std::any_of(o_.routes.begin(), o_.routes.end(),
                                       [&](const ObservedRoute& o) { return same_route(r, o); });
            if (r.dev && fresh_.contains({r.side, *r.dev}))
                present = false;
            if (!present)
                addresses_.push_back(Action{Phase::Addresses, r.owner, AddRoute{r}});
        }
        for (const auto& o : o_.routes) {
            // Routes through a deleted link go with it.
            if (o.dev && gone_.contains({o.side, *o.dev}))
                continue;
            bool wanted = std::any_of(d_.routes.begin(), d_.routes.end(),
                                      [&](const plan::RouteSpec& r) { return same_route(r, o); });
            if (!wanted)
                remove_routes_.push_back(Action{Phase::Remove, "", DeleteRoute{to_spec(o)}});
        }
    }

    // Observed::link() by index: a diff of thousands of links stays linear.
    const ObservedLink* link(Side side, std::string_view name) const {
        auto it = observed_links_.find(Key{side, std::string(name)});
        return it == observed_links_.end() ? nullptr : it->second;
    }

    const plan::DesiredState& d_;
    const Observed& o_;
    std::map<Key, const LinkSpec*> desired_links_;
    std::map<Key, const ObservedLink*> observed_links_;
    std::set<Key> gone_;          // observed links deleted by this diff (with their veth peers)
    std::set<Key> fresh_;         // links created by this diff (new or recreated)
    std::set<Key> skipped_;       // desired links whose name a foreign link holds
    std::set<Key> vrf_enslaved_;  // links enslaved to a VRF by this diff
    std::set<std::string> nics_moving_in_;  // underlay NICs still in the host namespace
    std::vector<Action> underlay_, remove_routes_, remove_addresses_, remove_links_, links_,
        addresses_;
    std::vector<std::string> problems_;
};

}  // namespace

DiffResult diff(const plan::DesiredState& desired, const Observed& observed) {
    return Differ(desired, observed).run();
}

}  // namespace perouter::reconcile
