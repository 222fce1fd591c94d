// Import of the upstream Open PE Router's configuration (`perouterctl import`, perouterctl(8)):
// its host-mode static files (openpe_*.yaml, node-config.yaml) and its Kubernetes resources
// (Underlay, L3VNI, L2VNI, L3Passthrough, RawFRRConfig) become one perouter TOML text. Pure:
// it reads nothing but the texts it is given. What perouter has no equivalent for is refused
// with the YAML file, line and column; nothing is dropped without a word.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/source_pos.hpp"

namespace perouter::importer {

/// One input file; `path` is what messages and the output's comments name.
struct YamlText {
    std::string path;
    std::string text;
};

struct Imported {
    /// perouter.toml(5) text: a main file (with [node] when a node-config.yaml was given) or a
    /// drop-in. It is not validated here: `perouterctl validate` does that.
    std::string toml;
    /// Fields left out because they configure nothing perouter has (logLevel, nodeName, the
    /// nodeSelector of a static file), also written as comments at the top of `toml`.
    Diagnostics notes;
    /// A neighbor has a password: the output should be readable by root only.
    bool secret = false;
};

/// Converts the files, merged in the given order as upstream's static loader merges its files
/// (lists concatenated; at most one underlay, one passthrough and one node file in all). Every
/// error of every file is returned ("FILE:LINE:COL: message"), or the TOML text.
Result<Imported, Diagnostics> import_files(const std::vector<YamlText>& files);

}  // namespace perouter::importer
