#include "daemon/router.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <set>

#include "common/process.hpp"
#include "config/names.hpp"
#include "config/online.hpp"
#include "frr/delta.hpp"
#include "netlink/executor.hpp"
#include "netlink/forwarding.hpp"
#include "netlink/observe.hpp"
#include "ovs/executor.hpp"
#include "ovs/observe.hpp"
#include "plan/planner.hpp"
#include "plan/slice.hpp"

namespace perouter::daemon {
using namespace std::chrono_literals;
using reconcile::Phase;

namespace {

// The index is the host part of an address on the interface: the first address inside `cidr`
// when given, else the first IPv4 address, else the first global IPv6 address (upstream rule).
std::optional<uint32_t> index_from_addresses(const std::vector<IpPrefix>& addrs,
                                             const std::optional<IpPrefix>& cidr) {
    auto host_part = [](const IpPrefix& p) -> std::optional<uint32_t> {
        const IpAddress& a = p.address();
        IpAddress net = a.masked(p.length());
        uint64_t v = 0;
        for (size_t i = 0; i < a.size(); ++i) {
            uint8_t diff = static_cast<uint8_t>(a.data()[i] - net.data()[i]);
            if (v > (UINT64_MAX >> 8))
                return std::nullopt;
            v = (v << 8) | diff;
        }
        if (v > UINT32_MAX)
            return std::nullopt;
        return static_cast<uint32_t>(v);
    };
    if (cidr) {
        for (const auto& p : addrs)
            if (cidr->contains(p.address()))
                return host_part(p);
        return std::nullopt;
    }
    for (const auto& p : addrs)
        if (p.is_v4())
            return host_part(p);
    for (const auto& p : addrs)
        if (!p.address().is_link_local())
            return host_part(p);
    return std::nullopt;
}

// One executed action in the log and the report.
void record(Report& report, const std::string& what, const std::string& owner, const Status& st) {
    if (st) {
        ++report.changes;
        spdlog::info("{}", what);
        return;
    }
    std::string msg =
        owner.empty() ? st.error().message : fmt::format("{}: {}", owner, st.error().message);
    spdlog::error("{} failed: {}", what, st.error().message);
    report.errors.push_back(msg);
    report.failed_owners.emplace(owner, st.error().message);
}

void add_problems(Report& report, const std::vector<std::string>& problems) {
    for (const auto& p : problems)
        if (std::find(report.problems.begin(), report.problems.end(), p) == report.problems.end())
            report.problems.push_back(p);
}

plan::OvsDatapath ovs_datapath_for(const Options& o) {
    return o.ovs_datapath == "netdev" ? plan::OvsDatapath::Netdev : plan::OvsDatapath::System;
}

}  // namespace

namespace {

frr::Launcher launcher_for(const Options& o) {
    frr::InstancePaths paths{o.netns, o.root};
    if (o.frr_launcher == "systemd")
        return frr::Launcher::Systemd;
    if (o.frr_launcher == "direct")
        return frr::Launcher::Direct;
    return frr::detect_launcher(paths);
}

}  // namespace

Router::Router(Options opts, netlink::Namespaces ns)
    : opts_(std::move(opts)),
      ns_(std::move(ns)),
      frr_(frr::InstancePaths{opts_.netns, opts_.root}, opts_.netns, launcher_for(opts_)),
      // Under systemd both run as units: perouterd's sandbox would be theirs otherwise.
      dhcp_(dhcp::ClientPaths{opts_.netns, opts_.root}, launcher_for(opts_)),
      vsctl_(opts_.ovsdb) {}

Result<std::unique_ptr<Router>> Router::open(const Options& opts) {
    auto ns = netlink::Namespaces::open(opts.netns, opts.host_netns);
    if (!ns)
        return fail(std::move(ns).error());
    return std::unique_ptr<Router>(new Router(opts, std::move(*ns)));
}

Result<plan::Facts> Router::gather_facts(const config::Config& cfg) {
    plan::Facts facts;
    if (cfg.node.index_from_interface && !node_index_) {
        // The interface may already be in the router namespace (it can be the underlay NIC).
        for (plan::Side side : {plan::Side::Host, plan::Side::Router}) {
            auto addrs = netlink::link_addresses(ns_, side, *cfg.node.index_from_interface);
            if (addrs && !addrs->empty()) {
                node_index_ = index_from_addresses(*addrs, cfg.node.index_cidr);
                if (node_index_)
                    break;
            }
        }
    }
    facts.node_index = node_index_;

    // A first plan only to learn which links the config references (NICs, external bridges).
    auto prelim = plan::build(cfg, facts);
    if (!prelim)
        return fail(std::move(prelim).error());
    auto obs = netlink::observe(ns_, *prelim);
    if (!obs)
        return fail(std::move(obs).error());
    // The links that carry the underlay: NICs moved in (wherever they are now), or the host
    // NIC a macvlan underlay hangs off.
    std::set<std::pair<plan::Side, std::string>> carriers;
    for (const auto& nic : prelim->underlay_nics) {
        carriers.insert({plan::Side::Host, nic});
        carriers.insert({plan::Side::Router, nic});
    }
    for (const auto& spec : prelim->links)
        if (spec.macvlan)
            carriers.insert({plan::Side::Host, spec.macvlan->parent});
    for (const auto& l : obs->links) {
        if (l.side == plan::Side::Router && l.kind == plan::KernelKind::Vrf && l.vrf_table)
            facts.vrf_tables[l.name] = *l.vrf_table;
        if (carriers.contains({l.side, l.name}) && l.mtu > 0)
            facts.underlay_mtu =
                facts.underlay_mtu == 0 ? l.mtu : std::min(facts.underlay_mtu, l.mtu);
    }
    return facts;
}

Result<plan::DesiredState> Router::plan_with(const config::Config& cfg, const plan::Facts& facts,
                                             const std::set<std::string>* l2vni_objects) {
    plan::Options po;
    po.frr_log_file = frr_.paths().frr_log_file();
    po.ovs_datapath = ovs_datapath_for(opts_);
    po.l2vni_objects = l2vni_objects;
    return plan::build(cfg, facts, po);
}

Result<plan::DesiredState> Router::desired(const config::Config& cfg) {
    auto facts = gather_facts(cfg);
    if (!facts)
        return fail(std::move(facts).error());
    return plan_with(cfg, *facts);
}

void Router::run_phase(const plan::DesiredState& d, Phase phase, Report& report, bool vxlans) {
    auto obs = netlink::observe(ns_, d);
    if (!obs) {
        report.errors.push_back(obs.error().message);
        return;
    }
    reconcile::DiffResult diff = reconcile::diff(d, *obs);
    add_problems(report, diff.problems);
    execute(diff, phase, report, vxlans ? VxlanCreates::Included : VxlanCreates::Excluded);
}

void Router::execute(const reconcile::DiffResult& diff, Phase phase, Report& report,
                     VxlanCreates vxlans) {
    netlink::ExecContext ctx{opts_.state_dir()};
    const auto record = [&](const reconcile::Action& a, const Status& st) {
        daemon::record(report, reconcile::describe(a), a.owner, st);
    };
    // A new VXLAN device goes with its creation: it is set up after its bridge
    // (reconcile/diff.cpp).
    std::set<std::pair<plan::Side, std::string>> new_vxlans;
    for (const reconcile::Action& a : diff.actions)
        if (const auto* create = std::get_if<reconcile::CreateLink>(&a.op))
            if (create->spec.kind == plan::LinkKind::Vxlan)
                new_vxlans.insert({create->spec.side, create->spec.name});
    std::vector<const reconcile::Action*> pending;
    for (const reconcile::Action& a : diff.actions) {
        if (a.phase != phase)
            continue;
        const auto* create = std::get_if<reconcile::CreateLink>(&a.op);
        const auto* modify = std::get_if<reconcile::ModifyLink>(&a.op);
        const bool vxlan = (create && create->spec.kind == plan::LinkKind::Vxlan) ||
                           (modify && new_vxlans.contains({modify->side, modify->name}));
        if ((vxlans == VxlanCreates::Excluded && vxlan) || (vxlans == VxlanCreates::Only && !vxlan))
            continue;
        pending.push_back(&a);
    }
    // A link whose creation failed is not set up afterwards (its error is reported once).
    std::set<std::pair<plan::Side, std::string>> not_created;
    // Consecutive link deletions on one side go in one request (removing a VPN next to many,
    // or many VPNs at once, would otherwise cost a kernel grace period per link).
    for (size_t i = 0; i < pending.size();) {
        const auto* del = std::get_if<reconcile::DeleteLink>(&pending[i]->op);
        size_t end = i + 1;
        if (del) {
            std::vector<reconcile::DeleteLink> batch{*del};
            for (; end < pending.size(); ++end) {
                const auto* next = std::get_if<reconcile::DeleteLink>(&pending[end]->op);
                if (!next || next->side != del->side)
                    break;
                batch.push_back(*next);
            }
            auto deleted = netlink::delete_links(ns_, batch);
            if (deleted.one_request)
                spdlog::debug("deleted {} links in one request", batch.size());
            for (size_t k = 0; k < deleted.results.size(); ++k)
                record(*pending[i + k], deleted.results[k]);
        } else if (const auto* m = std::get_if<reconcile::ModifyLink>(&pending[i]->op);
                   m && not_created.contains({m->side, m->name})) {
            spdlog::debug("{}: skipped, not created", reconcile::describe(*pending[i]));
        } else {
            Status st = netlink::execute(ns_, *pending[i], ctx);
            if (const auto* c = std::get_if<reconcile::CreateLink>(&pending[i]->op); c && !st) {
                not_created.insert({c->spec.side, c->spec.name});
                if (c->peer)
                    not_created.insert({c->peer->side, c->peer->name});
            }
            record(*pending[i], st);
        }
        i = end;
    }
}

void Router::apply_ovs(const plan::DesiredState& d, Report& report, OvsPass pass) {
    auto obs = ovs::observe(vsctl_);
    if (!obs) {
        // Nothing to have in OVS: a host without Open vSwitch is fine. Ports of ours left in a
        // database that does not answer now are removed once it does.
        if (d.ovs_ports.empty() || pass == OvsPass::Removals) {
            spdlog::debug("Open vSwitch not observed: {}", obs.error().message);
            return;
        }
        spdlog::error("{}", obs.error().message);
        std::set<std::string> owners;
        for (const auto& p : d.ovs_ports)
            owners.insert(p.owner);
        for (const auto& owner : owners) {
            report.errors.push_back(fmt::format("{}: {}", owner, obs.error().message));
            report.failed_owners.emplace(owner, obs.error().message);
        }
        return;
    }
    reconcile::OvsDiffResult diff = reconcile::diff_ovs(d.ovs_ports, *obs);
    if (pass == OvsPass::All)
        add_problems(report, diff.problems);
    for (const auto& a : diff.actions) {
        bool removal = std::holds_alternative<reconcile::OvsDeletePort>(a.op) ||
                       std::holds_alternative<reconcile::OvsDeleteBridge>(a.op);
        if (pass == OvsPass::All || removal)
            record(report, reconcile::describe(a), a.owner, ovs::execute(vsctl_, a));
    }
}

Status Router::stop_stale_frr() {
    if (frr_.state() != frr::Instance::State::WrongNamespace)
        return {};
    // Stopped before any link is touched: its sessions close over links still intact (a TCP
    // socket whose FIN cannot leave keeps the old namespace, and a NIC in it, alive for
    // minutes), and the old namespace, freed, takes its veth ends with it.
    spdlog::warn("FRR runs in a stale namespace (was '{}' recreated?); restarting it", opts_.netns);
    return frr_.stop();
}

Status Router::ensure_dhcp(const plan::DesiredState& d, Report& report) {
    dhcp_wanted_ = d.dhcp.has_value();
    auto state = dhcp_.state();
    const bool serves = d.dhcp && dhcp_.serves(d.dhcp->link);
    if (state != dhcp::Client::State::Stopped && !serves) {
        spdlog::info("stopping the DHCP client of '{}'{}", dhcp_.link(),
                     state == dhcp::Client::State::WrongNamespace ? " (stale namespace)" : "");
        PEROUTER_TRY(dhcp_.stop());
        ++report.changes;
    }
    if (d.dhcp && !serves) {
        spdlog::info("starting the DHCP client of '{}' in namespace '{}'", d.dhcp->link,
                     opts_.netns);
        PEROUTER_TRY(dhcp_.start(d.dhcp->link));
        ++report.changes;
    }
    return {};
}

Status Router::start_frr(Report& report) {
    spdlog::info("starting FRR instance '{}' in namespace '{}'", frr_.paths().name, opts_.netns);
    PEROUTER_TRY(frr_.start());
    ++report.changes;
    frr_started_ = std::chrono::steady_clock::now();
    return {};
}

Status Router::ensure_frr(const plan::DesiredState& d, Report& report) {
    // reconcile() stopped an FRR in a stale namespace before touching links (stop_stale_frr).
    if (frr_.state() == frr::Instance::State::Stopped) {
        // Checked before it gets anything (it starts empty; a cache hit when it was just checked).
        PEROUTER_TRY(frr_.check(d.frr_config));
        PEROUTER_TRY(start_frr(report));
    }
    if (frr_started_) {
        // Not waited for here: the caller reconciles again once FRR answers.
        if (Status st = frr_.ready(); !st) {
            if (Status failed = frr_.start_failure(); !failed) {
                frr_started_.reset();
                return failed;
            }
            if (std::chrono::steady_clock::now() - *frr_started_ < kFrrStartTimeout) {
                report.frr_starting = true;
                return {};
            }
            return fail(fmt::format("FRR instance '{}' not ready {} s after its start: {}",
                                    frr_.paths().name, kFrrStartTimeout.count(),
                                    st.error().message));
        }
        // The daemons started empty (frr::Instance::start()); every one answers now, and gets
        // this configuration whole in one read (a boot read under load could leave a daemon
        // without its part: a loaded machine's bgpd never opened the session to the leaf,
        // reliability R3/R8).
        PEROUTER_TRY(frr_.push_whole(d.frr_config));
        ++report.changes;
        frr_started_.reset();
        frr_pids_.clear();  // a new instance: its pids are not a restart
    }
    return frr_applied(frr_.apply(d.frr_config), report);
}

Status Router::frr_applied(Result<size_t> sent, Report& report) {
    if (!sent)
        return fail(std::move(sent).error());
    if (*sent > 0)
        spdlog::info("FRR configuration updated ({} lines)", *sent);
    report.changes += *sent;
    // A daemon that watchfrr restarted since we last looked came up with frr.conf only; the
    // delta above is against what we applied, so it sent nothing for it. Whoever notices the new
    // pids first (this reconcile, or check_health() when the health watch reports the restart)
    // pushes the whole configuration, never by adopting the new pids silently.
    std::vector<int> pids = frr_.daemon_pids();
    if (!frr_pids_.empty() && pids != frr_pids_ &&
        std::find(pids.begin(), pids.end(), 0) == pids.end()) {
        if (Status st = frr_.ready(); !st) {
            // The restarted daemon does not answer yet: check_health() pushes once it does
            // (frr_pids_ keeps the old pids so the difference stays visible).
            spdlog::info("FRR daemons restarted and not ready yet: {}", st.error().message);
            report.frr_settling = true;
            return {};
        }
        spdlog::warn("FRR daemons restarted; pushing the configuration again");
        PEROUTER_TRY(frr_.push_full());
        ++report.changes;
        pids = frr_.daemon_pids();
    }
    if (std::find(pids.begin(), pids.end(), 0) == pids.end())
        frr_pids_ = std::move(pids);
    else
        report.frr_settling = true;  // mid-restart
    return {};
}

Result<Report> Router::reconcile(std::shared_ptr<const config::Config> cfg, const Scope& scope) {
    if (!scope.full && applied_ && cfg->underlay) {
        auto changed = reconcile_changes(cfg, scope.links);
        if (!changed)
            return fail(std::move(changed).error());
        if (*changed)
            return std::move(**changed);
    }
    auto report = reconcile_everything(cfg);
    // The base of the next Scope::changes(): only a state that is known to be in place.
    if (!report || !report->errors.empty() || !report->problems.empty() || report->frr_starting)
        applied_.reset();
    return report;
}

Result<Report> Router::reconcile_everything(const std::shared_ptr<const config::Config>& cfg) {
    applied_.reset();
    auto facts = gather_facts(*cfg);
    if (!facts)
        return fail(std::move(facts).error());
    auto d = plan_with(*cfg, *facts);
    if (!d)
        return fail(std::move(d).error());
    if (!cfg->underlay)
        return teardown();

    Report report;
    // Everything that can be rejected is checked before anything is touched. When FRR is not
    // running, its start is the one thing that does not wait for the verdict: FRR starts empty
    // and gets its configuration once it answers (frr::Instance::start(), push_whole()), so
    // FRR's parser checks the configuration on a helper thread (a fresh vtysh builds its
    // command tables first: ~35 ms) while the namespace is made and frrinit.sh starts the
    // daemons (~0.4 s, not waited for), and the verdict is taken before any link is touched.
    // Nothing else uses frr_'s checker until then. (FRR used to start after the check and the
    // links: a start waited for each in turn, tests/bench/RESULTS.md P1.)
    const bool start_frr_first = frr_.state() == frr::Instance::State::Stopped;
    std::future<Status> checked;
    if (start_frr_first)
        checked = std::async(std::launch::async,
                             [this, &config = d->frr_config] { return frr_.check(config); });
    else
        PEROUTER_TRY(frr_.check(d->frr_config));
    if (!ns_.router_exists()) {
        spdlog::info("creating router namespace '{}'", opts_.netns);
        PEROUTER_TRY(ns_.create_router());
        ++report.changes;
    }
    Status frr_start;  // an FRR that failed to start here is reported below, not started again
    if (start_frr_first) {
        frr_start = start_frr(report);
        PEROUTER_TRY(checked.get());
    }
    // OVS removals first: a managed OVS bridge that goes takes its device br-hs-<vni> with it,
    // which a Linux bridge of that name (host_master changed type) is about to need.
    apply_ovs(*d, report, OvsPass::Removals);
    run_phase(*d, Phase::Underlay, report);
    // When FRR is about to start, what must go goes first: a veth end left over from a deleted
    // router namespace holds the name its new pair needs, and the new FRR would start with that
    // neighbor's veth missing.
    if (Status st = stop_stale_frr(); !st) {
        report.errors.push_back("FRR: " + st.error().message);
        report.failed_owners.emplace("frr", st.error().message);
        return report;
    }
    if (frr_started_ || frr_.state() != frr::Instance::State::Running)
        run_phase(*d, Phase::Remove, report);  // FRR has no configuration yet
    // Everything but the VXLAN devices before FRR learns about the neighbors behind them: a
    // host-session neighbor configured before its veth has an address can stay in "Waiting for
    // NHT" for minutes on FRR 8.4 (seen in the lab). The VXLAN devices come after FRR: bgpd
    // crashes when a VNI appears before advertise-all-vni is configured (FRRouting/frr#22851,
    // upstream #604).
    for (Phase p : {Phase::Links, Phase::Addresses})
        run_phase(*d, p, report, /*vxlans=*/false);
    // The underlay link exists now; the lease comes while FRR starts.
    if (Status st = ensure_dhcp(*d, report); !st) {
        spdlog::error("DHCP client: {}", st.error().message);
        report.errors.push_back("DHCP client: " + st.error().message);
        report.failed_owners.emplace("underlay", st.error().message);
    }
    // The host side of OVS ports does not wait for FRR (nor fail with it).
    if (Status st = frr_start ? ensure_frr(*d, report) : frr_start; !st) {
        spdlog::error("FRR: {}", st.error().message);
        report.errors.push_back("FRR: " + st.error().message);
        report.failed_owners.emplace("frr", st.error().message);
        apply_ovs(*d, report);
        return report;
    }
    if (report.frr_starting) {
        apply_ovs(*d, report);
        return report;
    }
    for (Phase p : {Phase::Remove, Phase::Links, Phase::Addresses})
        run_phase(*d, p, report);

    // Each phase changes what the next one sees (a recreated master drops its ports, enslaving
    // to a VRF drops IPv6 addresses); a couple of extra rounds settle such knock-on effects.
    for (int round = 0; round < 3 && report.errors.empty(); ++round) {
        auto obs = netlink::observe(ns_, *d);
        if (!obs)
            return fail(std::move(obs).error());
        if (reconcile::diff(*d, *obs).empty())
            break;
        for (Phase p : reconcile::kPhases)
            run_phase(*d, p, report);
    }
    apply_ovs(*d, report);
    applied_ = Applied{cfg, std::move(*facts)};
    return report;
}

namespace {

// Every link a slice of the desired state names, in either namespace.
void add_names(const plan::DesiredState& d, netlink::LinkNames& names) {
    for (const auto& l : d.links) {
        names.insert({l.side, l.name});
        if (l.master && !l.master->empty())
            names.insert({l.side, *l.master});
        if (l.veth_peer)
            names.insert({l.veth_peer_side.value_or(l.side), *l.veth_peer});
        if (l.macvlan)
            names.insert({plan::Side::Host, l.macvlan->parent});
    }
    for (const auto& e : d.external_links)
        names.insert({e.side, e.name});
    for (const auto& a : d.addresses)
        names.insert({a.side, a.link});
    for (const auto& r : d.routes)
        if (r.dev)
            names.insert({r.side, *r.dev});
}

// A link deleted and created again: its knock-on effects (ports released, addresses gone) are
// what the phase-by-phase reconcile of everything handles.
bool recreates(const reconcile::DiffResult& diff) {
    std::set<std::pair<plan::Side, std::string>> deleted;
    for (const auto& a : diff.actions)
        if (const auto* del = std::get_if<reconcile::DeleteLink>(&a.op))
            deleted.insert({del->side, del->name});
    for (const auto& a : diff.actions)
        if (const auto* create = std::get_if<reconcile::CreateLink>(&a.op))
            if (deleted.contains({create->spec.side, create->spec.name}))
                return true;
    return false;
}

// A link that existed before and is changed in place. A link this diff creates may only be set
// up later (a new bridge and its new ports, reconcile/diff.cpp): nothing else changes with that.
bool modifies(const reconcile::DiffResult& diff) {
    std::set<std::pair<plan::Side, std::string>> created;
    for (const auto& a : diff.actions)
        if (const auto* create = std::get_if<reconcile::CreateLink>(&a.op)) {
            created.insert({create->spec.side, create->spec.name});
            if (create->peer)
                created.insert({create->peer->side, create->peer->name});
        }
    return std::any_of(diff.actions.begin(), diff.actions.end(), [&](const reconcile::Action& a) {
        const auto* m = std::get_if<reconcile::ModifyLink>(&a.op);
        return m != nullptr && !created.contains({m->side, m->name});
    });
}

}  // namespace

Result<std::optional<Report>> Router::reconcile_changes(
    const std::shared_ptr<const config::Config>& cfg, const netlink::LinkNames& drifted) {
    using Nothing = std::optional<Report>;
    if (frr_.state() != frr::Instance::State::Running || frr_started_ || !ns_.router_exists()) {
        spdlog::debug("looking at everything: FRR or the router namespace is not up");
        return Nothing();
    }
    // What was applied, planned again from its configuration and facts: whole, or, when only
    // L2VNI entries changed (and no link drifted), just those entries with what they hang off
    // (plan/slice.hpp, changed_l2vnis); the objects of the L2VNIs that stay are not planned then,
    // on either side.
    const std::optional<std::set<std::string>> l2vnis =
        drifted.empty() ? plan::changed_l2vnis(*applied_->cfg, *cfg) : std::nullopt;
    if (l2vnis)
        spdlog::debug("planning only the {} [[l2vni]] entr{} that changed", l2vnis->size(),
                      l2vnis->size() == 1 ? "y" : "ies");
    auto before = l2vnis ? plan_with(plan::only_l2vnis(*applied_->cfg, *l2vnis), applied_->facts)
                         : plan_with(*applied_->cfg, applied_->facts);
    if (!before)
        return Nothing();  // cannot happen (it was planned before); everything is looked at
    // The same facts; the VRFs created since they were gathered keep their tables.
    plan::Facts facts = applied_->facts;
    for (const auto& l : before->links)
        if (l.kind == plan::LinkKind::Vrf && l.vrf_table)
            facts.vrf_tables[l.name] = *l.vrf_table;
    // The new state: FRR's configuration whole (it is one text), the objects of the same
    // entries as the old one's.
    auto d = plan_with(*cfg, facts, l2vnis ? &*l2vnis : nullptr);
    if (!d)
        return fail(std::move(d).error());
    const plan::DesiredState& after = *d;
    if (!plan::same_node_wide(*before, after)) {
        spdlog::debug("looking at everything: a node-wide part changed");
        return Nothing();
    }

    // FRR's parser checks the change on another thread (~3 ms at 1000 VNIs, most of it in the
    // waiting vtysh) while the owners are compared and the kernel is looked at; the verdict is
    // taken before anything is touched, and nothing else uses frr_ until then. The delta (the
    // parse of both whole texts) is made here: what a helper thread allocates stays in a heap of
    // its own, which malloc_trim() does not give back at idle (+1.4 MiB at 1000 VNIs with the
    // delta and a plan made on helper threads, measured). One heap for all threads (M_ARENA_MAX
    // 1) saved ~0.15 MiB at idle and looked ~5 ms slower per AddVpn (tests/bench/RESULTS.md).
    const bool frr_changed = d->frr_config != frr_.applied();
    std::future<Status> frr_checked;
    if (frr_changed) {
        frr_.prepare_change(d->frr_config);
        frr_checked = std::async(std::launch::async, [this, &config = d->frr_config] {
            return frr_.check_change(config);
        });
    }
    std::set<std::string> owners = plan::changed_owners(*before, after);
    // Links someone else changed: their owners are reconciled; a name of ours no owner has
    // (a leftover, or the late event of a link we deleted) is looked at by itself. Anything
    // else (an underlay NIC, an external bridge) may change facts: everything is looked at.
    std::map<std::string, std::string> owner_of;  // only when links drifted
    if (!drifted.empty())
        for (const auto& l : before->links)
            owner_of.emplace(l.name, l.owner);
    netlink::LinkNames names;
    for (const auto& [side, name] : drifted) {
        if (auto it = owner_of.find(name); it != owner_of.end())
            owners.insert(it->second);
        else if (config::is_router_link_name(name) || config::is_host_link_name(name))
            names.insert({side, name});
        else {
            spdlog::debug("looking at everything: link '{}' changed, which may change facts", name);
            return Nothing();
        }
    }
    // A slice holds the masters its links hang off (an L2VNI's routing domain's VRF).
    owners = plan::with_master_owners(std::move(owners), after, *before);
    Report report;
    report.owners_looked_at = owners.size();
    if (owners.empty() && names.empty() && !frr_changed) {
        applied_ = Applied{cfg, std::move(facts)};
        return Nothing(std::move(report));
    }
    const plan::DesiredState want = plan::slice(after, owners);
    const plan::DesiredState had = plan::slice(*before, owners);
    if (!want.ovs_ports.empty() || !had.ovs_ports.empty())
        return Nothing();  // OVSDB is observed as a whole (reconcile/ovs_diff.hpp)
    add_names(want, names);
    add_names(had, names);
    names.insert({plan::Side::Router, "lo"});
    std::vector<plan::RouteSpec> routes = want.routes;
    routes.insert(routes.end(), had.routes.begin(), had.routes.end());
    // The VTEP addresses on lo belong to the underlay, which is not in this slice unless it
    // changed: they are not looked at then.
    const bool underlay = owners.contains("underlay");
    auto observe = [&]() -> Result<reconcile::Observed> {
        auto obs = netlink::observe_links(ns_, names, routes);
        if (obs && !underlay)
            std::erase_if(obs->addresses, [](const reconcile::ObservedAddress& a) {
                return a.side == plan::Side::Router && a.link == "lo";
            });
        return obs;
    };
    auto obs = observe();
    if (!obs)
        return fail(std::move(obs).error());
    reconcile::DiffResult diff = reconcile::diff(want, *obs);
    if (frr_checked.valid())
        PEROUTER_TRY(frr_checked.get());
    if (recreates(diff)) {
        spdlog::debug("looking at everything: a link is deleted and created again");
        return Nothing();
    }
    add_problems(report, diff.problems);

    // The order of the reconcile of everything with FRR running: what FRR's new lines refer
    // to first, then FRR, then what goes, then the VXLAN devices. Here, with FRR's lines naming
    // nothing the links are for (no change, or an L2VNI's route targets: frr/delta.hpp,
    // waits_for_links) and FRR having advertise-all-vni (plain L2VNIs), FRR's lines go to its
    // daemons while the links are created (bgpd takes them in ~9 ms at 1000 VNIs present, the
    // kernel makes the links in ~6 ms), and a new VNI's devices are created in their planned
    // order: the VXLAN device joins its bridge before the veth, so the bridge's MTU never
    // changes (each change walks the kernel's whole IPv6 routing table, which grows with the
    // VNIs present). Should zebra report the VNI to bgpd before bgpd has its route targets, bgpd
    // derives its own for that moment and replaces them when the lines arrive, as on any change
    // of a VNI's route targets. Any other change of FRR's configuration keeps the VXLAN devices
    // last: an L3VNI's VXLAN device before FRR has its VRF's vni line kept the VRF's host
    // session down (seen in the system tier). FRR runs and is not starting (checked above), so
    // ensure_frr() would do just this apply; frr_ is touched by nothing else until the result
    // is taken.
    const bool frr_beside_links = frr_changed && !frr_.change_waits_for_links(d->frr_config);
    const bool evpn = (!frr_changed || frr_beside_links) && before->frr.underlay &&
                      before->frr.underlay->advertise_all_vni;
    std::future<Result<size_t>> frr_sent;
    if (frr_beside_links)
        frr_sent = std::async(std::launch::async,
                              [this, &config = d->frr_config] { return frr_.send_change(config); });
    execute(diff, Phase::Underlay, report);
    execute(diff, Phase::Links, report, evpn ? VxlanCreates::Included : VxlanCreates::Excluded);
    execute(diff, Phase::Addresses, report);
    if (Status st = frr_sent.valid()
                        ? frr_applied(frr_.finish_change(frr_sent.get(), d->frr_config), report)
                        : ensure_frr(*d, report);
        !st) {
        spdlog::error("FRR: {}", st.error().message);
        report.errors.push_back("FRR: " + st.error().message);
        report.failed_owners.emplace("frr", st.error().message);
    }
    execute(diff, Phase::Remove, report);
    if (!evpn)
        execute(diff, Phase::Links, report, VxlanCreates::Only);

    // A link changed in place can change what else the kernel has (enslaving to a VRF drops
    // IPv6 addresses): look again, and settle phase by phase.
    if (modifies(diff) && report.errors.empty()) {
        for (int round = 0; round < 3; ++round) {
            auto again = observe();
            if (!again)
                return fail(std::move(again).error());
            if (reconcile::diff(want, *again).empty())
                break;
            for (Phase p : reconcile::kPhases) {
                auto now = observe();
                if (!now)
                    return fail(std::move(now).error());
                execute(reconcile::diff(want, *now), p, report);
            }
        }
    }
    // The reply need not wait for freeing the plans and the configuration applied before.
    retire(std::move(*before));
    retire(std::move(*d));
    retire(std::move(applied_->cfg));
    if (report.errors.empty() && report.problems.empty())
        applied_ = Applied{cfg, std::move(facts)};
    else
        applied_.reset();
    return Nothing(std::move(report));
}

Result<std::vector<std::string>> Router::plan_changes(const config::Config& cfg) {
    auto d = desired(cfg);
    if (!d)
        return fail(std::move(d).error());
    std::vector<std::string> lines;
    auto obs = netlink::observe(ns_, *d);
    if (!obs)
        return fail(std::move(obs).error());
    if (cfg.underlay && !obs->router_ns_exists)
        lines.push_back("create router namespace " + opts_.netns);
    auto diff = reconcile::diff(*d, *obs);
    for (const auto& a : diff.actions)
        lines.push_back(reconcile::describe(a));
    for (const auto& p : diff.problems)
        lines.push_back("problem: " + p);
    if (auto ovs_obs = ovs::observe(vsctl_); ovs_obs) {
        auto ovs_diff = reconcile::diff_ovs(d->ovs_ports, *ovs_obs);
        for (const auto& a : ovs_diff.actions)
            lines.push_back(reconcile::describe(a));
        for (const auto& p : ovs_diff.problems)
            lines.push_back("problem: " + p);
    } else if (!d->ovs_ports.empty()) {
        lines.push_back("problem: " + ovs_obs.error().message);
    }
    const bool dhcp_serves = d->dhcp && dhcp_.serves(d->dhcp->link);
    if (dhcp_.state() != dhcp::Client::State::Stopped && !dhcp_serves)
        lines.push_back("stop DHCP client of " + dhcp_.link());
    if (d->dhcp && !dhcp_serves)
        lines.push_back("start DHCP client of " + d->dhcp->link);
    auto state = frr_.state();
    if (!cfg.underlay) {
        if (state != frr::Instance::State::Stopped)
            lines.push_back("stop FRR instance " + frr_.paths().name);
        if (obs->router_ns_exists)
            lines.push_back("delete router namespace " + opts_.netns);
        return lines;
    }
    if (state != frr::Instance::State::Running) {
        lines.push_back("start FRR instance " + frr_.paths().name);
    } else {
        std::string script = frr::delta(frr_.applied(), d->frr_config);
        size_t start = 0;
        while (start < script.size()) {
            size_t end = script.find('\n', start);
            if (end == std::string::npos)
                end = script.size();
            lines.push_back("frr: " + script.substr(start, end - start));
            start = end + 1;
        }
    }
    return lines;
}

Result<Report> Router::teardown() {
    Report report;
    applied_.reset();
    frr_started_.reset();
    if (frr_.state() != frr::Instance::State::Stopped) {
        spdlog::info("stopping FRR instance '{}'", frr_.paths().name);
        PEROUTER_TRY(frr_.stop());
        ++report.changes;
    }
    dhcp_wanted_ = false;
    if (dhcp_.state() != dhcp::Client::State::Stopped) {
        spdlog::info("stopping the DHCP client of '{}'", dhcp_.link());
        PEROUTER_TRY(dhcp_.stop());
        ++report.changes;
    }
    plan::DesiredState nothing;
    apply_ovs(nothing, report);  // our ports and managed bridges in Open vSwitch
    const size_t ovs_errors = report.errors.size();
    if (ns_.router_exists()) {
        for (Phase p : reconcile::kPhases)
            run_phase(nothing, p, report);
        if (report.errors.size() > ovs_errors)
            return report;  // keep the namespace: NICs may be inside
        spdlog::info("deleting router namespace '{}'", opts_.netns);
        PEROUTER_TRY(ns_.delete_router());
        ++report.changes;
    } else {
        // Host-side leftovers (veth ends die with the namespace; host bridges and routes don't).
        for (Phase p : reconcile::kPhases)
            run_phase(nothing, p, report);
    }
    PEROUTER_TRY(frr_.remove_files());
    PEROUTER_TRY(dhcp_.remove_files());
    return report;
}

Result<reconcile::ForwardingView> Router::observe_forwarding(const config::Config& cfg) {
    reconcile::ForwardingView view;
    if (!ns_.router_exists())
        return view;
    for (const config::GatewayTarget& t : config::online_targets(cfg)) {
        if (view.find(t.vrf) != nullptr)
            continue;
        auto table = netlink::vrf_table(ns_, plan::Side::Router, t.vrf);
        if (!table.ok()) {
            if (table.error().code == ENODEV || table.error().code == ENOENT)
                continue;  // not created yet
            return fail(std::move(table).error());
        }
        // An l3vpn (vni 0) has no VXLAN device: its next hops are SRv6, without FDB entries.
        auto v = netlink::observe_forwarding(ns_, plan::Side::Router, t.vrf, *table,
                                             t.vni != 0 ? config::vxlan_name(t.vni) : "");
        if (!v.ok())
            return fail(std::move(v).error());
        view.vrfs.push_back(std::move(*v));
    }
    return view;
}

std::optional<Router::DhcpStatus> Router::dhcp_status(const config::Config& cfg) const {
    if (!cfg.underlay || !cfg.underlay->macvlan || !cfg.underlay->macvlan->dhcp)
        return std::nullopt;
    DhcpStatus s;
    s.link = cfg.underlay->macvlan->name;
    s.running = dhcp_.serves(s.link);
    if (auto addrs = netlink::link_addresses(ns_, plan::Side::Router, s.link))
        for (const IpPrefix& a : *addrs)
            if (a.is_v4())
                s.leased.push_back(a);
    return s;
}

bool Router::frr_start_settled() const {
    if (!frr_started_)
        return true;
    return frr_.ready() || !frr_.start_failure() ||
           std::chrono::steady_clock::now() - *frr_started_ >= kFrrStartTimeout;
}

Result<Router::Health> Router::check_health() {
    if (!ns_.router_exists()) {
        spdlog::warn("router namespace '{}' disappeared; rebuilding", opts_.netns);
        return Health::Repair;
    }
    auto state = frr_.state();
    if (state != frr::Instance::State::Running) {
        spdlog::warn(
            "FRR instance '{}' is {}; restarting it", frr_.paths().name,
            state == frr::Instance::State::Stopped ? "not running" : "in a stale namespace");
        return Health::Repair;
    }
    if (dhcp_wanted_ && dhcp_.state() != dhcp::Client::State::Running) {
        spdlog::warn("the underlay's DHCP client is not running in '{}'; restarting it",
                     opts_.netns);
        return Health::Repair;
    }
    if (frr_started_)
        return Health::Fine;  // being started: the event loop reconciles once it answers
    std::vector<int> pids = frr_.daemon_pids();
    if (pids == frr_pids_) {
        for (int pid : pids)
            if (!process_alive(pid))
                return Health::Settling;  // exited; watchfrr is restarting it
        return Health::Fine;
    }
    // watchfrr restarted a daemon. It reloads frr.conf, which is what we applied last; pushing
    // it again covers a daemon that came up before its peers could hand it the configuration.
    if (std::find(pids.begin(), pids.end(), 0) != pids.end())
        return Health::Settling;  // mid-restart
    if (Status st = frr_.ready(); !st)
        return Health::Settling;  // not answering yet
    spdlog::warn("FRR daemons restarted; pushing the configuration again");
    PEROUTER_TRY(frr_.push_full());
    frr_pids_ = frr_.daemon_pids();
    return Health::Fine;
}

Watched Router::watched() const {
    Watched w;
    w.files.push_back(ns_.router_path());
    const frr::InstancePaths& paths = frr_.paths();
    std::vector<std::string> processes{"watchfrr"};
    for (const std::string& d : frr::required_daemons()) {
        processes.push_back(d);
        w.files.push_back(paths.vty_socket(d));
    }
    for (const std::string& p : processes) {
        w.pids.push_back(read_pid_file(paths.pid_file(p)));
        w.files.push_back(paths.pid_file(p));
    }
    if (dhcp_wanted_) {
        if (std::string f = dhcp_.pid_file(); !f.empty()) {
            w.pids.push_back(read_pid_file(f));
            w.files.push_back(std::move(f));
        }
    }
    return w;
}

}  // namespace perouter::daemon
