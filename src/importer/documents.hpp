// The three shapes of input document and how their objects join the gathered Pieces: a static
// router file (openpe_*.yaml: underlays, l3vnis, ...), a node file (node-config.yaml: nodeIndex,
// ...) and Kubernetes resources (apiVersion + kind, also inside a v1 List). A document is
// recognised by its fields, whatever its file is called.
#pragma once

#include <yaml-cpp/yaml.h>

#include "importer/pieces.hpp"
#include "importer/yaml_fields.hpp"

namespace perouter::importer {

/// Converts one YAML document of the file `sink` reports for and adds what it holds to `out`.
void read_document(const YAML::Node& doc, Sink& sink, Pieces& out);

}  // namespace perouter::importer
