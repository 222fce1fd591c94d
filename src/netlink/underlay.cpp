// Underlay NICs move between the namespaces. The kernel drops a link's addresses and routes
// when it changes namespace, so the host-side state is saved to a file first: the file
// survives a perouterd restart between the move in and the move out.
//
// <state_dir>/underlay/<nic>.json:
//   {"name": "toswitch", "mtu": 1500, "up": true,
//    "addresses": [{"prefix": "192.168.11.3/24", "broadcast": "192.168.11.255"}],
//    "routes": [{"dst": "0.0.0.0/0", "gateway": "192.168.11.2", "table": 254, "metric": 0,
//                "protocol": 4, "scope": 0, "type": 1}]}
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "netlink/ops.hpp"

namespace perouter::netlink::ops {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct SavedNic {
    uint32_t mtu = 0;
    bool up = false;
    std::vector<KernelAddress> addresses;
    std::vector<KernelRoute> routes;  // oif is not saved: it is the NIC
};

fs::path state_file(const fs::path& state_dir, const std::string& nic) {
    return state_dir / "underlay" / (nic + ".json");
}

json to_json(const std::string& nic, const SavedNic& s) {
    json j{{"name", nic}, {"mtu", s.mtu}, {"up", s.up}};
    j["addresses"] = json::array();
    for (const auto& a : s.addresses) {
        json ja{{"prefix", a.prefix.str()}};
        if (a.broadcast)
            ja["broadcast"] = a.broadcast->str();
        j["addresses"].push_back(ja);
    }
    j["routes"] = json::array();
    for (const auto& r : s.routes) {
        json jr{{"dst", r.dst.str()},     {"table", r.table}, {"metric", r.metric},
                {"protocol", r.protocol}, {"scope", r.scope}, {"type", r.type}};
        if (r.gateway)
            jr["gateway"] = r.gateway->str();
        j["routes"].push_back(jr);
    }
    return j;
}

Result<SavedNic> from_json(const json& j) {
    SavedNic s;
    try {
        s.mtu = j.at("mtu").get<uint32_t>();
        s.up = j.at("up").get<bool>();
        for (const auto& ja : j.at("addresses")) {
            auto prefix = IpPrefix::parse(ja.at("prefix").get<std::string>());
            if (!prefix)
                return fail(std::string("bad address prefix"));
            KernelAddress a{0, *prefix, std::nullopt};
            if (ja.contains("broadcast"))
                a.broadcast = IpAddress::parse(ja.at("broadcast").get<std::string>());
            s.addresses.push_back(a);
        }
        for (const auto& jr : j.at("routes")) {
            auto dst = IpPrefix::parse(jr.at("dst").get<std::string>());
            if (!dst)
                return fail(std::string("bad route destination"));
            KernelRoute r;
            r.dst = *dst;
            r.table = jr.at("table").get<uint32_t>();
            r.metric = jr.at("metric").get<uint32_t>();
            r.protocol = jr.at("protocol").get<uint8_t>();
            r.scope = jr.at("scope").get<uint8_t>();
            r.type = jr.at("type").get<uint8_t>();
            if (jr.contains("gateway"))
                r.gateway = IpAddress::parse(jr.at("gateway").get<std::string>());
            s.routes.push_back(r);
        }
    } catch (const json::exception& e) {
        return fail(std::string(e.what()));
    }
    return s;
}

Status write_state(const fs::path& file, const json& j) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec)
        return fail(errno_error(ec.value(), fmt::format("create {}", file.parent_path().string())));
    fs::path tmp = file;
    tmp += ".tmp";
    std::string text = j.dump(2) + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(errno_error(errno, fmt::format("write {}", tmp.string())));
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    int e = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
        if (ok)
            e = errno;
        ::unlink(tmp.c_str());
        return fail(errno_error(e, fmt::format("write {}", file.string())));
    }
    return {};
}

// nullopt when there is no state file (a NIC moved in by an older tool, or already restored).
Result<std::optional<SavedNic>> read_state(const fs::path& file) {
    std::ifstream in(file);
    if (!in)
        return std::optional<SavedNic>();
    std::stringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str(), nullptr, false);
    if (j.is_discarded())
        return fail(fmt::format("{}: not valid JSON", file.string()));
    auto s = from_json(j);
    if (!s.ok())
        return fail(std::move(s).error().context(file.string()));
    return std::optional<SavedNic>(std::move(*s));
}

Result<SavedNic> capture(nl_sock* sock, rtnl_link* link, bool with_routes) {
    SavedNic s;
    int ifindex = rtnl_link_get_ifindex(link);
    s.mtu = rtnl_link_get_mtu(link);
    s.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
    auto addrs = dump_addresses(sock);
    if (!addrs.ok())
        return fail(std::move(addrs).error());
    for (const auto& a : *addrs)
        if (a.ifindex == ifindex)
            s.addresses.push_back(a);
    if (!with_routes)
        return s;
    auto routes = dump_routes(sock);
    if (!routes.ok())
        return fail(std::move(routes).error());
    // Routes the kernel derives from the addresses come back by themselves; the others (the
    // default route via a gateway, static routes) must be restored by us.
    for (const auto& r : *routes)
        if (r.table == RT_TABLE_MAIN && r.type == RTN_UNICAST && r.protocol != RTPROT_KERNEL &&
            r.oif == ifindex)
            s.routes.push_back(r);
    return s;
}

Status set_link(nl_sock* sock, rtnl_link* link, rtnl_link* changes, std::string_view what) {
    int err = rtnl_link_change(sock, link, changes, 0);
    if (err < 0)
        return fail(nl_error(err, what));
    return {};
}

Status add_addresses(nl_sock* sock, int ifindex, const std::vector<KernelAddress>& addrs) {
    for (const auto& a : addrs) {
        auto r = add_address(sock, ifindex, a.prefix,
                             AddressOptions{.nodad = false, .broadcast = a.broadcast});
        if (!r.ok())
            return fail(std::move(r).error().context("add address " + a.prefix.str()));
    }
    return {};
}

}  // namespace

Status move_nic_in(const Namespaces& ns, const std::string& nic, const fs::path& state_dir) {
    std::string subject =
        fmt::format("move underlay interface '{}' into the router namespace", nic);
    auto host = ns.socket(plan::Side::Host);
    if (!host.ok())
        return fail(std::move(host).error().context(subject));
    auto router = ns.socket(plan::Side::Router);
    if (!router.ok())
        return fail(std::move(router).error().context(subject));
    if (state_dir.empty())
        return fail(subject + ": no state directory to save the NIC state in", EINVAL);
    fs::path file = state_file(state_dir, nic);

    if (auto in_host = get_link(host->get(), nic); in_host.ok()) {
        // A state file left from an earlier move is the truth about the NIC before we took it:
        // when the router namespace is deleted behind our back, the kernel hands a physical
        // NIC back without its addresses, and saving that would lose them for good.
        std::error_code ec;
        if (!fs::exists(file, ec)) {
            auto saved = capture(host->get(), in_host->get(), true);
            if (!saved.ok())
                return fail(std::move(saved).error().context(subject));
            PEROUTER_TRY(write_state(file, to_json(nic, *saved)));
        }
        // The move closes the NIC and takes its carrier; it comes up again in the same request.
        // The kernel reports a carrier change of a physical NIC (and of a veth whose ifindex
        // equals its peer's) at most once a second (linkwatch), so a separate "set up" after
        // the move often reached the namespace's FRR a second later than the link itself:
        // zebra saw no connected route, and the fabric session waited for its connect retry.
        // Within one request the kernel has the NIC up again before it reports the close.
        LinkPtr move(rtnl_link_alloc());
        rtnl_link_set_ns_fd(move.get(), ns.fd(plan::Side::Router));
        rtnl_link_set_group(move.get(), plan::kUnderlayGroup);
        rtnl_link_set_flags(move.get(), IFF_UP);
        auto moved = set_link(host->get(), in_host->get(), move.get(), "");
        if (!moved.ok())
            return fail(std::move(moved).error().context(subject));
    }

    // From here on the NIC is in the router namespace, possibly since an interrupted run.
    auto link = get_link(router->get(), nic);
    if (!link.ok())
        return fail(std::move(link).error().context(subject));
    // Moved just now, it has both; after an interrupted run it may lack either.
    if (rtnl_link_get_group(link->get()) != plan::kUnderlayGroup) {
        LinkPtr group(rtnl_link_alloc());
        rtnl_link_set_group(group.get(), plan::kUnderlayGroup);
        auto grouped = set_link(router->get(), link->get(), group.get(), "set group");
        if (!grouped.ok())
            return fail(std::move(grouped).error().context(subject));
    }
    // A moved NIC takes the namespace's defaults, and new links there come without IPv6
    // (plan/planner.cpp, plan_ipv6): it carries the fabric's sessions and gets its IPv6
    // addresses back below.
    if (Status v6 = set_link_ipv6(ns, plan::Side::Router, nic, false); !v6.ok())
        return fail(std::move(v6).error().context(subject));

    auto saved = read_state(file);
    if (!saved.ok())
        return fail(std::move(saved).error().context(subject));
    if (*saved) {
        auto added =
            add_addresses(router->get(), rtnl_link_get_ifindex(link->get()), (*saved)->addresses);
        if (!added.ok())
            return fail(std::move(added).error().context(subject));
    }
    if ((rtnl_link_get_flags(link->get()) & IFF_UP) == 0) {
        LinkPtr up(rtnl_link_alloc());
        rtnl_link_set_flags(up.get(), IFF_UP);
        auto upped = set_link(router->get(), link->get(), up.get(), "set up");
        if (!upped.ok())
            return fail(std::move(upped).error().context(subject));
    }
    return {};
}

Status move_nic_out(const Namespaces& ns, const std::string& nic, const fs::path& state_dir) {
    std::string subject = fmt::format("move underlay interface '{}' back to the host", nic);
    auto host = ns.socket(plan::Side::Host);
    if (!host.ok())
        return fail(std::move(host).error().context(subject));
    if (state_dir.empty())
        return fail(subject + ": no state directory to read the NIC state from", EINVAL);
    fs::path file = state_file(state_dir, nic);
    auto state = read_state(file);
    if (!state.ok())
        return fail(std::move(state).error().context(subject));
    std::optional<SavedNic> saved = std::move(*state);

    if (ns.fd(plan::Side::Router) >= 0) {
        auto router = ns.socket(plan::Side::Router);
        if (!router.ok())
            return fail(std::move(router).error().context(subject));
        if (auto in_router = get_link(router->get(), nic); in_router.ok()) {
            if (!saved) {
                // No state file: carry over what the NIC has now, as upstream does.
                auto now = capture(router->get(), in_router->get(), false);
                if (!now.ok())
                    return fail(std::move(now).error().context(subject));
                saved = std::move(*now);
            }
            LinkPtr move(rtnl_link_alloc());
            rtnl_link_set_ns_fd(move.get(), ns.fd(plan::Side::Host));
            auto moved = set_link(router->get(), in_router->get(), move.get(), "");
            if (!moved.ok())
                return fail(std::move(moved).error().context(subject));
        }
    }

    // From here on the NIC is in the host, possibly since an interrupted run.
    auto link = get_link(host->get(), nic);
    if (!link.ok())
        return fail(std::move(link).error().context(subject));
    LinkPtr attrs(rtnl_link_alloc());
    rtnl_link_set_group(attrs.get(), 0);
    if (saved && saved->mtu != 0)
        rtnl_link_set_mtu(attrs.get(), saved->mtu);
    auto set = set_link(host->get(), link->get(), attrs.get(), "set group and mtu");
    if (!set.ok())
        return fail(std::move(set).error().context(subject));
    if (saved) {
        int ifindex = rtnl_link_get_ifindex(link->get());
        auto added = add_addresses(host->get(), ifindex, saved->addresses);
        if (!added.ok())
            return fail(std::move(added).error().context(subject));
        LinkPtr flags(rtnl_link_alloc());
        if (saved->up) {
            rtnl_link_set_flags(flags.get(), IFF_UP);
        } else {
            rtnl_link_unset_flags(flags.get(), IFF_UP);
        }
        auto upped = set_link(host->get(), link->get(), flags.get(), "set up state");
        if (!upped.ok())
            return fail(std::move(upped).error().context(subject));
        // Gateway routes need their addresses and an up link, so they come last. A link left
        // down keeps no routes: the kernel would refuse them.
        for (auto r : saved->up ? saved->routes : std::vector<KernelRoute>{}) {
            r.oif = ifindex;
            auto added_route = add_kernel_route(host->get(), r);
            if (!added_route.ok() && added_route.error().code != EEXIST)
                return fail(
                    std::move(added_route)
                        .error()
                        .context(fmt::format("{}: restore route {}", subject, r.dst.str())));
        }
    }
    std::error_code ec;
    fs::remove(file, ec);
    if (ec)
        return fail(errno_error(ec.value(), fmt::format("remove {}", file.string())));
    return {};
}

}  // namespace perouter::netlink::ops
