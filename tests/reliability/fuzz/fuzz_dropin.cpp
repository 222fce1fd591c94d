// libFuzzer target: the bytes as one drop-in on top of a valid main file, as the daemon's
// Validate and AddVpn check it: config::parse_with (src/config/load.hpp), then the planner and
// the FRR renderer and delta when the merged configuration is valid, including the delta a
// reload computes from the main file's FRR configuration to the merged one and back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/load.hpp"
#include "plan_and_render.hpp"

namespace {

// A main file with one VPN of each kind and a passthrough, so that a drop-in can replace,
// extend or clash with every part of it.
constexpr const char* kBase = R"([node]
index = 2

[underlay]
asn = 64514
interfaces = ["eth0"]
router_id_cidr = "10.0.0.0/24"
tunnel_endpoint_cidrs = ["100.65.0.0/24"]

[[underlay.neighbors]]
asn = 64512
address = "192.168.11.2"

[[l3vni]]
name = "red"
vrf = "red"
vni = 100
default_gateway = true
[l3vni.host_session]
asn = 64514
host_asn = 64515
local_cidr = { ipv4 = "192.169.10.0/24", ipv6 = "2001:db8:10::/64" }

[[l2vni]]
name = "blue"
vni = 210
routing_domain = "red"
gateway_ips = ["192.170.1.1/24"]

[passthrough]
host_session = { asn = 64514, host_asn = 64516, local_cidr = { ipv4 = "192.169.20.0/24" } }
)";

/// The FRR configuration of the main file alone: what is applied before the drop-in arrives.
const std::string& base_frr() {
    static const std::string text = [] {
        auto cfg = perouter::config::parse({{"/etc/perouter/perouter.toml", kBase, true}});
        if (!cfg.ok()) {
            std::fprintf(stderr, "fuzz_dropin: the base configuration is invalid: %s\n",
                         cfg.error().front().str().c_str());
            std::abort();
        }
        return perouter::fuzz::plan_and_render(*cfg);
    }();
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace perouter;
    std::string text(reinterpret_cast<const char*>(data), size);
    auto cfg = config::parse_with({{"/etc/perouter/perouter.toml", kBase, /*main=*/true}},
                                  {"/etc/perouter/perouter.d/50-fuzz.toml", std::move(text)});
    if (cfg.ok())
        fuzz::plan_and_render(*cfg, base_frr());
    return 0;
}
