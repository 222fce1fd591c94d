// Column tables in the style of networkctl/systemctl list output: an upper-case header, columns
// padded to their widest cell, and a "N things listed." footer. --no-legend drops both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace perouter::cli {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

/// The header (unless !legend) and the rows, one line each. Cells are left-aligned and
/// separated by one space; the last column is not padded, so lines carry no trailing blanks.
/// An empty cell is shown as "-" so that columns stay splittable by whitespace.
std::string render_table(const Table& table, bool legend);

/// "1 vpn listed." / "3 vpns listed."
std::string listed_footer(size_t count, std::string_view singular, std::string_view plural);

/// render_table() followed, when `legend`, by an empty line and the footer (as networkctl).
std::string render_listing(const Table& table, bool legend, std::string_view singular,
                           std::string_view plural);

}  // namespace perouter::cli
