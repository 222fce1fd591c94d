#include <fmt/format.h>

#include "config/convert.hpp"
#include "config/toml_reader.hpp"

namespace perouter::config {

Node convert_node(const toml::table& t, Diagnostics& diags) {
    Node n;
    TableReader r(t, keys::kNode, n.pos, diags);
    n.index = r.number<uint32_t>("index", 0, kMaxNodeIndex);
    n.index_from_interface = r.interface_name("index_from_interface");
    n.index_cidr = r.prefix("index_cidr");

    if (r.has("index") && r.has("index_from_interface")) {
        r.exclusive("index", "index_from_interface");
    } else if (!r.has("index") && !r.has("index_from_interface")) {
        r.error_at(r.table_pos(), "[node] needs 'index' or 'index_from_interface'");
    }
    if (r.has("index_cidr") && !r.has("index_from_interface"))
        r.error("index_cidr", "'index_cidr' is only allowed with 'index_from_interface'");
    return n;
}

}  // namespace perouter::config
