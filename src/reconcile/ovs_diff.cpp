#include "reconcile/ovs_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/overloaded.hpp"

namespace perouter::reconcile {

namespace {

const OvsObservedPort* find_port(const OvsObservedBridge& b, std::string_view name) {
    for (const auto& p : b.ports)
        if (p.name == name)
            return &p;
    return nullptr;
}

class OvsDiffer {
  public:
    OvsDiffer(const std::vector<plan::OvsPortSpec>& desired, const OvsObserved& observed)
        : d_(desired), o_(observed) {
        for (const auto& s : d_)
            if (s.lifecycle == plan::OvsBridgeLifecycle::Managed)
                managed_.emplace(s.bridge, &s);
    }

    OvsDiffResult run() {
        plan_removals();
        plan_bridges();
        plan_ports();
        OvsDiffResult r;
        for (auto* v : {&remove_ports_, &remove_bridges_, &bridges_, &ports_})
            for (auto& a : *v)
                r.actions.push_back(std::move(a));
        r.problems = std::move(problems_);
        return r;
    }

  private:
    bool wants_port_on(const std::string& port, const std::string& bridge) const {
        return std::any_of(d_.begin(), d_.end(), [&](const plan::OvsPortSpec& s) {
            return s.port == port && s.bridge == bridge;
        });
    }

    const plan::OvsPortSpec* desired_port(const std::string& port) const {
        for (const auto& s : d_)
            if (s.port == port)
                return &s;
        return nullptr;
    }

    void plan_removals() {
        for (const auto& b : o_.bridges) {
            if (is_owned(b) && !managed_.contains(b.name)) {
                // Its ports, ours or someone's, go with it: it is the L2VNI's managed bridge.
                gone_bridges_.insert(b.name);
                remove_bridges_.push_back(OvsAction{"", OvsDeleteBridge{b.name}});
                continue;
            }
            for (const auto& p : b.ports) {
                if (!is_owned(p) || wants_port_on(p.name, b.name))
                    continue;
                const plan::OvsPortSpec* elsewhere = desired_port(p.name);
                std::string reason = elsewhere ? fmt::format("moves to {}", elsewhere->bridge)
                                               : std::string("not desired");
                gone_ports_.insert(p.name);
                remove_ports_.push_back(OvsAction{elsewhere ? elsewhere->owner : "",
                                                  OvsDeletePort{b.name, p.name, reason}});
            }
        }
    }

    void plan_bridges() {
        for (const auto& [name, spec] : managed_) {
            const OvsObservedBridge* obs = o_.bridge(name);
            if (obs == nullptr) {
                bridges_.push_back(OvsAction{spec->owner, OvsCreateBridge{name, spec->datapath}});
                continue;
            }
            if (!is_owned(*obs)) {
                blocked_.insert(name);
                problems_.push_back(fmt::format(
                    "OVS bridge '{}' exists and is not ours (no external_ids:{}={}); leaving it "
                    "alone",
                    name, plan::kOvsCreatedByKey, plan::kOvsCreatedBy));
                continue;
            }
            if (obs->datapath != spec->datapath)
                bridges_.push_back(OvsAction{spec->owner, OvsSetDatapath{name, spec->datapath}});
        }
    }

    void plan_ports() {
        for (const auto& s : d_) {
            if (blocked_.contains(s.bridge))
                continue;
            if (s.lifecycle == plan::OvsBridgeLifecycle::External &&
                o_.bridge(s.bridge) == nullptr) {
                problems_.push_back(fmt::format("external OVS bridge '{}' not found", s.bridge));
                continue;
            }
            const OvsObservedBridge* holder = o_.bridge_of_port(s.port);
            if (holder != nullptr && !gone_bridges_.contains(holder->name) &&
                !gone_ports_.contains(s.port)) {
                const OvsObservedPort* p = find_port(*holder, s.port);
                if (!is_owned(*p)) {
                    problems_.push_back(fmt::format(
                        "OVS port '{}' on bridge '{}' exists and is not ours (no "
                        "external_ids:{}={}); leaving it alone",
                        s.port, holder->name, plan::kOvsCreatedByKey, plan::kOvsCreatedBy));
                    continue;
                }
                // Ours and where it belongs (elsewhere it was removed above).
                for (const auto& e : p->errors)
                    problems_.push_back(
                        fmt::format("OVS port '{}' on bridge '{}': {}", s.port, holder->name, e));
                continue;
            }
            ports_.push_back(OvsAction{s.owner, OvsAddPort{s.bridge, s.port}});
        }
    }

    const std::vector<plan::OvsPortSpec>& d_;
    const OvsObserved& o_;
    std::map<std::string, const plan::OvsPortSpec*> managed_;  // managed bridge -> first spec
    std::set<std::string> gone_bridges_;                       // deleted by this diff
    std::set<std::string> gone_ports_;                         // removed by this diff
    std::set<std::string> blocked_;  // desired managed bridges whose name is taken
    std::vector<OvsAction> remove_ports_, remove_bridges_, bridges_, ports_;
    std::vector<std::string> problems_;
};

}  // namespace

OvsDiffResult diff_ovs(const std::vector<plan::OvsPortSpec>& desired, const OvsObserved& observed) {
    return OvsDiffer(desired, observed).run();
}

std::string describe(const OvsAction& action) {
    return std::visit(Overloaded{
                          [](const OvsCreateBridge& c) {
                              return fmt::format("ovs: create bridge {} (datapath {})", c.bridge,
                                                 plan::to_string(c.datapath));
                          },
                          [](const OvsSetDatapath& s) {
                              return fmt::format("ovs: set bridge {} datapath {}", s.bridge,
                                                 plan::to_string(s.datapath));
                          },
                          [](const OvsDeleteBridge& d) {
                              return fmt::format("ovs: delete bridge {} (not desired)", d.bridge);
                          },
                          [](const OvsAddPort& a) {
                              return fmt::format("ovs: add port {} to bridge {}", a.port, a.bridge);
                          },
                          [](const OvsDeletePort& d) {
                              return fmt::format("ovs: remove port {} from bridge {} ({})", d.port,
                                                 d.bridge, d.reason);
                          },
                      },
                      action.op);
}

}  // namespace perouter::reconcile
