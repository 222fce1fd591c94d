// The keys each TOML table accepts. One table per section; the converters read through
// TableReader, which rejects every key missing here as unknown, and the schema test compares
// these tables with schema/perouter.schema.json so the two cannot drift apart.
#pragma once

#include <string_view>
#include <vector>

namespace perouter::config {

struct KeyTable {
    /// Path of the table in schema terms: "" (top level), "underlay.neighbors[]",
    /// "l3vni[].host_session.local_cidr". "[]" marks an array element.
    std::string_view path;
    /// How error messages name the table: "[[underlay.neighbors]]".
    std::string_view display;
    std::vector<std::string_view> keys;

    bool accepts(std::string_view key) const;
};

namespace keys {
extern const KeyTable kRoot;
extern const KeyTable kNode;
extern const KeyTable kUnderlay;
extern const KeyTable kNeighbor;
extern const KeyTable kBfd;
extern const KeyTable kGracefulRestart;
extern const KeyTable kRouteReflector;
extern const KeyTable kMacvlan;
extern const KeyTable kSrv6;
extern const KeyTable kL3Vni;
extern const KeyTable kL3VniHostSession;
extern const KeyTable kL3VniLocalCidr;
extern const KeyTable kL2Vni;
extern const KeyTable kHostMaster;
extern const KeyTable kL3Vpn;
extern const KeyTable kL3VpnHostSession;
extern const KeyTable kL3VpnLocalCidr;
extern const KeyTable kPassthrough;
extern const KeyTable kPassthroughHostSession;
extern const KeyTable kPassthroughLocalCidr;
extern const KeyTable kOnline;
extern const KeyTable kRawFrr;
}  // namespace keys

/// Every key table above, parents before children.
const std::vector<const KeyTable*>& key_tables();

}  // namespace perouter::config
