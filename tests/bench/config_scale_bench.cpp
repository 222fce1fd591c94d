// config::parse() at scale: 1000 L3VNIs, each with a host session and its pools, and 2000
// L2VNIs, half of them routed (routing_domain + gateway_ips). Every reload and every D-Bus
// Validate/AddVpn parses and validates the whole merged configuration, so this is the config
// part of the cost of one change. Any check that compares every VPN with every other shows up
// here as a quadratic curve.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "config/load.hpp"

namespace {

using perouter::config::ConfigText;

std::string scale_config(int l3vnis, int l2vnis) {
    std::string t = R"([node]
index = 3

[underlay]
asn = 64514
interfaces = ["eth0"]
tunnel_endpoint_cidrs = ["100.65.0.0/24"]

[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"
)";
    for (int i = 0; i < l3vnis; ++i) {
        t += fmt::format(R"(
[[l3vni]]
name = "vrf{0}"
vrf = "vrf{0}"
vni = {1}
export_rts = ["64514:{1}"]
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = {{ ipv4 = "10.{2}.{3}.0/24", ipv6 = "fd00:{4:x}::/64" }}
)",
                         i, 100000 + i, i >> 8, i & 255, i + 1);
    }
    for (int j = 0; j < l2vnis; ++j) {
        t += fmt::format("\n[[l2vni]]\nname = \"seg{0}\"\nvni = {1}\n", j, 200000 + j);
        if (j % 2 == 0 && l3vnis > 0)
            t += fmt::format("routing_domain = \"vrf{}\"\ngateway_ips = [\"11.{}.{}.1/24\"]\n",
                             j % l3vnis, j >> 8, j & 255);
    }
    return t;
}

void BM_ParseScale(benchmark::State& state) {
    const int l3 = static_cast<int>(state.range(0));
    const std::vector<ConfigText> texts = {{"perouter.toml", scale_config(l3, 2 * l3)}};
    for (auto _ : state) {
        auto r = perouter::config::parse(texts);
        if (!r.ok()) {
            state.SkipWithError(r.error().front().str().c_str());
            break;
        }
        benchmark::DoNotOptimize(r.value().l2vnis.size());
    }
    state.counters["bytes"] = static_cast<double>(texts.front().text.size());
    state.SetComplexityN(l3);
}
// 1000 L3VNIs + 2000 L2VNIs is the figure in RESULTS.md; the smaller sizes show the curve.
BENCHMARK(BM_ParseScale)
    ->Arg(250)
    ->Arg(500)
    ->Arg(1000)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

}  // namespace

BENCHMARK_MAIN();
