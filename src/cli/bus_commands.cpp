#include "cli/bus_commands.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <variant>

#include "cli/bus_errors.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/status_view.hpp"
#include "dbus/client.hpp"

namespace perouter::cli {
namespace {

using Clock = std::chrono::steady_clock;
using dbus::RouterClient;

int print(std::ostream& os, const ErrorReport& r) {
    for (const auto& l : r.lines)
        os << l << '\n';
    return r.exit_code;
}

dbus::BusResult<RouterClient> connect(const Invocation& inv) {
    auto c = RouterClient::connect(inv.bus_address);
    if (c.ok())
        c->set_interactive_authorization(!inv.no_ask_password);
    return c;
}

/// A failed connect: whatever sd-bus said, nobody can answer, so this is "not running".
int connect_failed(const dbus::BusError& e, std::string_view action, std::ostream& err) {
    err << fmt::format("Failed to {}: cannot connect to the bus: {}\n", action, e.message);
    return kExitNotRunning;
}

/// Connects and fetches Describe(), or prints why not and returns the exit code.
std::variant<nlohmann::json, int> describe(const Invocation& inv, std::string_view action,
                                           std::ostream& err) {
    auto c = connect(inv);
    if (!c)
        return connect_failed(c.error(), action, err);
    auto text = c->describe();
    if (!text)
        return print(err, report_bus_error(text.error(), action));
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        err << fmt::format("Failed to {}: perouterd sent a malformed Describe() document.\n",
                           action);
        return kExitFailure;
    }
    return doc;
}

/// The document `vpn add` sends: FILE, standard input, or built from the flags.
std::variant<std::string, int> vpn_add_document(const Invocation& inv, Streams io) {
    bool building = inv.l2vni || inv.l3vni || inv.l3vpn;
    if (!inv.vpn_file.empty() && building) {
        io.err << "vpn add: give either FILE or --l2vni/--l3vni/--l3vpn, not both.\n";
        return kExitUsage;
    }
    if (inv.vpn_file == "-") {
        std::ostringstream text;
        text << io.in.rdbuf();
        return std::move(text).str();
    }
    if (!inv.vpn_file.empty()) {
        std::ifstream f(inv.vpn_file, std::ios::binary);
        std::ostringstream text;
        if (f)
            text << f.rdbuf();
        if (!f || f.bad()) {
            io.err << fmt::format("{}: cannot read: {}\n", inv.vpn_file,
                                  std::strerror(errno != 0 ? errno : EIO));
            return kExitFailure;
        }
        return std::move(text).str();
    }
    VpnSpec spec = inv.spec;
    if (inv.l3vni)
        spec.kind = VpnKind::L3vni;
    else if (inv.l3vpn)
        spec.kind = VpnKind::L3vpn;
    else if (inv.l2vni)
        spec.kind = VpnKind::L2vni;
    spec.name = inv.vpn_name;
    auto doc = vpn_document(spec);
    if (!doc) {
        io.err << fmt::format("vpn add: {}.\n", doc.error().message);
        return kExitUsage;
    }
    return std::move(*doc);
}

/// Connects and runs one mutating call; prints only errors.
template <class Call>
int mutate(const Invocation& inv, std::string_view action, Streams io, Call&& call) {
    auto c = connect(inv);
    if (!c)
        return connect_failed(c.error(), action, io.err);
    auto r = call(*c);
    if (!r)
        return print(io.err, report_bus_error(r.error(), action));
    return kExitOk;
}

/// One line on why wait-online is still waiting, for the timeout message.
std::string waiting_for(const nlohmann::json& d) {
    std::string s = fmt::format("state '{}', underlay '{}'", d.value("state", "?"),
                                d.value("underlay_state", "?"));
    if (auto vpns = d.find("vpns"); vpns != d.end() && vpns->is_array())
        for (const auto& v : *vpns)
            if (v.is_object() &&
                dbus::parse_vpn_state(v.value("state", "")) != dbus::VpnState::Configured)
                s += fmt::format(", VPN '{}' {}", v.value("name", "?"), v.value("state", "?"));
    if (auto e = d.value("last_error", ""); !e.empty())
        s += fmt::format(", last error: {}", e.substr(0, e.find('\n')));
    return s;
}

}  // namespace

int run_status(const Invocation& inv, Streams io) {
    auto d = describe(inv, "get status", io.err);
    if (auto* rc = std::get_if<int>(&d))
        return *rc;
    const auto& doc = std::get<nlohmann::json>(d);
    io.out << (inv.json.empty() ? format_status(doc, !inv.no_legend) : dump_json(doc, inv.json));
    return kExitOk;
}

int run_vpn_list(const Invocation& inv, Streams io) {
    auto d = describe(inv, "list VPNs", io.err);
    if (auto* rc = std::get_if<int>(&d))
        return *rc;
    const auto& doc = std::get<nlohmann::json>(d);
    if (inv.names_only)
        io.out << vpn_names(doc);
    else if (!inv.json.empty())
        io.out << dump_json(doc.value("vpns", nlohmann::json::array()), inv.json);
    else
        io.out << render_listing(vpn_table(doc), !inv.no_legend, "vpn", "vpns");
    return kExitOk;
}

int run_vpn_show(const Invocation& inv, Streams io) {
    std::string action = fmt::format("show VPN '{}'", inv.vpn_name);
    auto d = describe(inv, action, io.err);
    if (auto* rc = std::get_if<int>(&d))
        return *rc;
    auto vpn = find_vpn(std::get<nlohmann::json>(d), inv.vpn_name);
    if (!vpn) {
        io.err << fmt::format("Failed to {}: no VPN named '{}'.\n", action, inv.vpn_name);
        return kExitFailure;
    }
    io.out << (inv.json.empty() ? format_vpn(*vpn) : dump_json(*vpn, inv.json));
    return kExitOk;
}

int run_vpn_add(const Invocation& inv, Streams io) {
    auto doc = vpn_add_document(inv, io);
    if (auto* rc = std::get_if<int>(&doc))
        return *rc;
    const std::string& toml = std::get<std::string>(doc);
    if (inv.print_only) {
        io.out << toml;
        return kExitOk;
    }
    std::string path;
    int rc = mutate(inv, fmt::format("add VPN '{}'", inv.vpn_name), io, [&](RouterClient& c) {
        auto r = c.add_vpn(inv.vpn_name, toml, inv.persist);
        if (r)
            path = *r;
        return r;
    });
    if (rc == kExitOk && !inv.json.empty())
        io.out << dump_json({{"name", inv.vpn_name}, {"path", path}}, inv.json);
    return rc;
}

int run_vpn_remove(const Invocation& inv, Streams io) {
    return mutate(inv, fmt::format("remove VPN '{}'", inv.vpn_name), io,
                  [&](RouterClient& c) { return c.remove_vpn(inv.vpn_name); });
}

int run_reload(const Invocation& inv, Streams io) {
    return mutate(inv, "reload", io, [](RouterClient& c) { return c.reload(); });
}

int run_wait_online(const Invocation& inv, Streams io) {
    // At boot this may run before perouterd (or even the bus) is up: every failure to reach
    // the daemon is retried until the deadline, and signals from the router wake the wait
    // early, with a poll every second as the floor.
    const auto poll = std::chrono::seconds(1);
    std::optional<Clock::time_point> deadline;
    if (inv.timeout_sec > 0)
        deadline = Clock::now() + std::chrono::seconds(inv.timeout_sec);
    auto left = [&]() -> std::chrono::milliseconds {
        if (!deadline)
            return poll;
        auto l = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
        return std::max(std::chrono::milliseconds(0), std::min<std::chrono::milliseconds>(l, poll));
    };
    auto expired = [&] { return deadline && Clock::now() >= *deadline; };

    std::string last = "perouterd not reached yet";
    for (;;) {
        auto c = connect(inv);
        if (c) {
            // Best effort: without the match the loop still polls.
            (void)c->watch();
            for (;;) {
                auto text = c->describe();
                if (!text) {
                    if (!is_not_running(text.error()))
                        return print(io.err, report_bus_error(text.error(), "wait for online"));
                    last = fmt::format("perouterd is not running ({})", text.error().message);
                } else {
                    auto doc = nlohmann::json::parse(*text, nullptr, false);
                    if (is_online(doc))
                        return kExitOk;
                    last = doc.is_object() ? waiting_for(doc) : "malformed Describe() document";
                }
                if (expired())
                    break;
                auto got = c->wait_signals(left());
                if (!got) {
                    last = fmt::format("lost the bus: {}", got.error().message);
                    break;
                }
            }
        } else {
            last = fmt::format("cannot connect to the bus: {}", c.error().message);
        }
        if (expired())
            break;
        std::this_thread::sleep_for(left());
    }
    io.err << fmt::format("Timed out after {} s waiting for the router to come online: {}.\n",
                          inv.timeout_sec, last);
    return kExitFailure;
}

}  // namespace perouter::cli
