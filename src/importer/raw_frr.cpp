// RawFRRConfig: upstream's RawFRRConfigSpec -> [[raw_frr]]. The text is passed on as it is.
#include "importer/convert.hpp"

namespace perouter::importer {

toml::table convert_raw_frr(Fields& spec) {
    toml::table t;
    put(t, "priority", spec.integer("priority"));
    put(t, "config", spec.string("rawConfig"));
    spec.finish();
    return t;
}

}  // namespace perouter::importer
