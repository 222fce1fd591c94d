#include "plan/slice.hpp"

#include <string_view>
#include <unordered_map>
#include <vector>

namespace perouter::plan {

namespace {

// Each owner's objects of one kind, in order.
// Keyed by views into `items`, hashed: a state of 1000 VNIs has 1000 owners.
template <class T>
std::unordered_map<std::string_view, std::vector<const T*>> by_owner(const std::vector<T>& items) {
    std::unordered_map<std::string_view, std::vector<const T*>> out;
    out.reserve(items.size());
    for (const auto& item : items)
        out[item.owner].push_back(&item);
    return out;
}

template <class T>
void add_differing(const std::vector<T>& before, const std::vector<T>& after,
                   std::set<std::string>& out) {
    auto a = by_owner(before), b = by_owner(after);
    const auto equal = [](const std::vector<const T*>& x, const std::vector<const T*>& y) {
        if (x.size() != y.size())
            return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (!(*x[i] == *y[i]))
                return false;
        return true;
    };
    for (const auto& [owner, items] : a) {
        auto it = b.find(owner);
        if (it == b.end() || !equal(items, it->second))
            out.insert(std::string(owner));
    }
    for (const auto& [owner, items] : b)
        if (!a.contains(owner))
            out.insert(std::string(owner));
}

template <class T>
std::vector<T> of_owners(const std::vector<T>& items, const std::set<std::string>& owners) {
    std::vector<T> out;
    for (const auto& item : items)
        if (owners.contains(item.owner))
            out.push_back(item);
    return out;
}

}  // namespace

std::set<std::string> changed_owners(const DesiredState& before, const DesiredState& after) {
    std::set<std::string> out;
    add_differing(before.links, after.links, out);
    add_differing(before.external_links, after.external_links, out);
    add_differing(before.ovs_ports, after.ovs_ports, out);
    add_differing(before.addresses, after.addresses, out);
    add_differing(before.routes, after.routes, out);
    return out;
}

std::set<std::string> with_master_owners(std::set<std::string> owners, const DesiredState& a,
                                         const DesiredState& b) {
    // Each round: the masters the owners' links hang off, then who owns them; a few linear
    // passes (the owners are few, the links may be thousands).
    for (bool grown = true; grown;) {
        grown = false;
        for (const DesiredState* state : {&a, &b}) {
            std::set<std::pair<Side, std::string>> masters;
            for (const auto& l : state->links)
                if (l.master && owners.contains(l.owner))
                    masters.insert({l.side, *l.master});
            if (masters.empty())
                continue;
            for (const auto& l : state->links)
                if (masters.contains({l.side, l.name}) && owners.insert(l.owner).second)
                    grown = true;
        }
    }
    return owners;
}

bool same_node_wide(const DesiredState& a, const DesiredState& b) {
    return a.underlay_nics == b.underlay_nics && a.sysctls == b.sysctls && a.dhcp == b.dhcp &&
           a.node_index == b.node_index && a.router_id == b.router_id;
}

std::optional<std::set<std::string>> changed_l2vnis(const config::Config& before,
                                                    const config::Config& after) {
    // Everything but the L2VNIs, as only_l2vnis() keeps it: one list of those parts.
    if (!(only_l2vnis(before, {}) == only_l2vnis(after, {})))
        return std::nullopt;
    // Keyed by views into `before`: 1000 entries are looked up once each.
    std::unordered_map<std::string_view, const config::L2Vni*> had;
    had.reserve(before.l2vnis.size());
    for (const auto& l2 : before.l2vnis)
        had.emplace(l2.name, &l2);
    std::set<std::string> out;
    for (const auto& l2 : after.l2vnis) {
        auto it = had.find(l2.name);
        if (it == had.end() || !(*it->second == l2))
            out.insert(l2.name);
        if (it != had.end())
            had.erase(it);
    }
    for (const auto& [name, l2] : had)
        out.insert(std::string(name));
    return out;
}

config::Config only_l2vnis(const config::Config& cfg, const std::set<std::string>& names) {
    config::Config out;
    out.node = cfg.node;
    out.underlay = cfg.underlay;
    out.l3vnis = cfg.l3vnis;
    out.l3vpns = cfg.l3vpns;
    out.passthrough = cfg.passthrough;
    out.online = cfg.online;
    out.raw_frr = cfg.raw_frr;
    for (const auto& l2 : cfg.l2vnis)
        if (names.contains(l2.name))
            out.l2vnis.push_back(l2);
    return out;
}

DesiredState slice(const DesiredState& d, const std::set<std::string>& owners) {
    DesiredState out;
    out.links = of_owners(d.links, owners);
    out.external_links = of_owners(d.external_links, owners);
    out.ovs_ports = of_owners(d.ovs_ports, owners);
    out.addresses = of_owners(d.addresses, owners);
    out.routes = of_owners(d.routes, owners);
    out.node_index = d.node_index;
    out.router_id = d.router_id;
    return out;
}

}  // namespace perouter::plan
