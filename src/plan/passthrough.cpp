// Passthrough: an un-encapsulated veth pt-host/pt-ns and a host session in the default BGP
// instance, so host routes join the fabric's underlay routing.
#include <fmt/format.h>

#include "config/names.hpp"
#include "plan/builder.hpp"

namespace perouter::plan::detail {

Status plan_passthrough(Builder& b) {
    if (!b.cfg.passthrough)
        return {};
    DesiredState& out = b.out;
    const config::HostSession& hs = b.cfg.passthrough->host_session;
    const std::string owner = "passthrough";

    add_veth_pair(b, std::string(config::kPassthroughHostVeth),
                  std::string(config::kPassthroughRouterVeth), std::nullopt, std::nullopt,
                  std::nullopt, owner);

    frr::Passthrough fp;
    for (const auto& pool : {hs.local_cidr.ipv4, hs.local_cidr.ipv6}) {
        if (!pool)
            continue;
        auto ends = veth_addresses(*pool, b.node_index);
        if (!ends)
            return fail(std::move(ends).error().context("passthrough"));
        out.addresses.push_back(AddressSpec{
            Side::Router, std::string(config::kPassthroughRouterVeth), ends->router, owner});
        out.addresses.push_back(
            AddressSpec{Side::Host, std::string(config::kPassthroughHostVeth), ends->host, owner});
        fp.neighbors.push_back(host_neighbor(hs, ends->host.address(), hs.asn));
        (pool->is_v4() ? fp.networks_v4 : fp.networks_v6)
            .push_back(IpPrefix::host_route(ends->host.address()).str());
    }
    // "default": the passthrough lives in the default instance; no VRF may be named so.
    apply_host_filters(b, hs, "default", fp.neighbors);
    out.frr.passthrough = std::move(fp);
    return {};
}

}  // namespace perouter::plan::detail
