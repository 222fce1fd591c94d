#include "config/convert.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

Passthrough convert_passthrough(const toml::table& t, Diagnostics& diags) {
    Passthrough p;
    TableReader r(t, keys::kPassthrough, p.pos, diags);
    if (const toml::table* hs = r.table("host_session")) {
        p.host_session = convert_host_session(*hs, keys::kPassthroughHostSession,
                                              keys::kPassthroughLocalCidr, diags);
    } else if (!r.has("host_session")) {
        r.missing("host_session");
    }
    return p;
}

}  // namespace perouter::config
