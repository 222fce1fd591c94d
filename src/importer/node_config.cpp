// node-config.yaml: upstream's NodeConfig -> [node]. Only the node index configures anything
// perouter has; the node's name and log level are noted as left out.
#include <fmt/format.h>

#include "importer/convert.hpp"

namespace perouter::importer {

toml::table convert_node_config(Fields& doc) {
    Sink& sink = doc.sink();
    toml::table t;
    // Upstream's node index defaults to 0 when nodeIndex (or its index) is not written.
    auto node = doc.take("nodeIndex");
    if (node && node->IsScalar()) {
        doc.error("nodeIndex",
                  "a number here is the format of releases before v0.2.0; write "
                  "\"nodeIndex: {index: N}\"");
    } else {
        Fields ni(node, "nodeIndex", sink);
        auto index = ni.integer("index");
        auto interface = ni.string("interfaceName");
        auto cidr = ni.string("cidr");
        if (interface) {
            // As upstream: an index of 0 is "not set", anything else clashes.
            if (index && *index != 0)
                ni.error("interfaceName", "index and interfaceName are mutually exclusive");
            t.insert_or_assign("index_from_interface", std::move(*interface));
            put(t, "index_cidr", cidr);
        } else {
            if (cidr)
                ni.error("cidr", "cidr needs interfaceName");
            t.insert_or_assign("index", index.value_or(0));
        }
        ni.finish();
    }
    if (auto name = doc.string("nodeName"))
        sink.note(doc.key_pos("nodeName"),
                  fmt::format("nodeName \"{}\" not imported: it names upstream's Kubernetes "
                              "objects; perouter needs no node name",
                              *name));
    if (auto level = doc.string("logLevel"))
        sink.note(doc.key_pos("logLevel"),
                  fmt::format("logLevel \"{}\" not imported: perouterd's log level is its "
                              "--log-level option (perouterd(8))",
                              *level));
    doc.finish();
    return t;
}

}  // namespace perouter::importer
