#include "plan_and_render.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "frr/delta.hpp"
#include "frr/render.hpp"
#include "plan/planner.hpp"

namespace perouter::fuzz {
namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

}  // namespace

std::string plan_and_render(const config::Config& cfg, std::string_view applied) {
    plan::Facts facts;
    facts.underlay_mtu = 9000;
    // What router.cpp would read from the interface named by [node] index_from_interface.
    if (cfg.node.index_from_interface)
        facts.node_index = 1;
    auto desired = plan::build(cfg, facts);
    if (!desired.ok())
        return {};  // a per-node value that cannot be derived is an error value, not a crash
    const std::string& text = desired->frr_config;
    if (frr::render(desired->frr) != text)
        broken("render() is not deterministic");
    // What the first apply pushes (nothing applied yet), and what a teardown would.
    (void)frr::delta("", text);
    (void)frr::delta(text, "");
    if (!frr::delta(text, text).empty())
        broken("delta(text, text) is not empty");
    if (!applied.empty()) {
        (void)frr::delta(applied, text);
        (void)frr::delta(text, applied);
    }
    return text;
}

}  // namespace perouter::fuzz
