// render() and delta() at scale: 1000 L3VNIs (about 30 config lines each), adding or removing
// one. The daemon renders the new model and diffs it against the last applied text on every
// reconcile, so this is the FRR part of the cost of one VPN change.
#include <benchmark/benchmark.h>

#include <string>

#include "frr/delta.hpp"
#include "frr/render.hpp"
#include "models.hpp"

namespace {

using perouter::frr::delta;
using perouter::frr::Model;
using perouter::frr::render;
using perouter::frr::testing::l3vni_v4;
using perouter::frr::testing::many_vrfs;

constexpr int kVrfs = 1000;

Model plus_one() {
    Model m = many_vrfs(kVrfs);
    m.vrfs.push_back(l3vni_v4("extra", 5000));
    return m;
}

Model minus_one() {
    Model m = many_vrfs(kVrfs);
    m.vrfs.erase(m.vrfs.begin() + kVrfs / 2);
    return m;
}

void BM_Render(benchmark::State& state) {
    const Model m = many_vrfs(kVrfs);
    size_t bytes = 0;
    for (auto _ : state) {
        const std::string text = render(m);
        bytes = text.size();
        benchmark::DoNotOptimize(text.data());
    }
    state.counters["conf_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render)->Unit(benchmark::kMillisecond);

// Render the new model and diff it against the previous text (kept from the last apply).
void render_and_delta(benchmark::State& state, const Model& next) {
    const std::string previous = render(many_vrfs(kVrfs));
    size_t script = 0;
    for (auto _ : state) {
        const std::string text = render(next);
        const std::string d = delta(previous, text);
        script = d.size();
        benchmark::DoNotOptimize(d.data());
    }
    state.counters["script_bytes"] = static_cast<double>(script);
}

void BM_RenderDeltaAddOne(benchmark::State& state) {
    render_and_delta(state, plus_one());
}
BENCHMARK(BM_RenderDeltaAddOne)->Unit(benchmark::kMillisecond);

void BM_RenderDeltaRemoveOne(benchmark::State& state) {
    render_and_delta(state, minus_one());
}
BENCHMARK(BM_RenderDeltaRemoveOne)->Unit(benchmark::kMillisecond);

// delta() alone, both texts already rendered.
void delta_only(benchmark::State& state, const Model& next) {
    const std::string previous = render(many_vrfs(kVrfs));
    const std::string text = render(next);
    for (auto _ : state) {
        const std::string d = delta(previous, text);
        benchmark::DoNotOptimize(d.data());
    }
}

void BM_DeltaAddOne(benchmark::State& state) {
    delta_only(state, plus_one());
}
BENCHMARK(BM_DeltaAddOne)->Unit(benchmark::kMillisecond);

void BM_DeltaRemoveOne(benchmark::State& state) {
    delta_only(state, minus_one());
}
BENCHMARK(BM_DeltaRemoveOne)->Unit(benchmark::kMillisecond);

void BM_DeltaNoChange(benchmark::State& state) {
    delta_only(state, many_vrfs(kVrfs));
}
BENCHMARK(BM_DeltaNoChange)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
