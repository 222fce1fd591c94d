// RawFRRConfig: upstream's RawFRRConfigSpec -> [[raw_frr]]. The text is passed on as it is;
// the name ([[raw_frr]] entries merge by name) is the resource's, or rawfrrconfig-<n> for an
// entry of a static file, which has none.
#include "importer/convert.hpp"

namespace perouter::importer {

toml::table convert_raw_frr(Fields& spec, const std::string& name) {
    toml::table t;
    t.insert("name", name);
    put(t, "priority", spec.integer("priority"));
    put(t, "config", spec.string("rawConfig"));
    spec.finish();
    return t;
}

}  // namespace perouter::importer
