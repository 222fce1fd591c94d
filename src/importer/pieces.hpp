// What the conversion gathers from all input files before it writes them out as one TOML text:
// perouter's tables, each with the place of the upstream object it came from. Files merge the
// way upstream's static loader merges them: lists are concatenated; a node has one underlay, one
// passthrough and one node index.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <vector>

#include "common/source_pos.hpp"

namespace perouter::importer {

struct Piece {
    SourcePos from;     ///< where the upstream object starts
    std::string label;  ///< how the output's comment names it: "L3VNI red"
    toml::table table;  ///< perouter's table: [node], [underlay], one [[l3vni]], ...
};

struct Pieces {
    std::optional<Piece> node;
    std::optional<Piece> underlay;
    std::optional<Piece> passthrough;
    std::vector<Piece> l3vnis;
    std::vector<Piece> l2vnis;
    std::vector<Piece> raw_frr;
    /// A neighbor carries a password: the output should be readable by root only.
    bool secret = false;
};

}  // namespace perouter::importer
