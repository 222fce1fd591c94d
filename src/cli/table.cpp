#include "cli/table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace perouter::cli {
namespace {

const std::string& shown(const std::string& cell) {
    static const std::string dash = "-";
    return cell.empty() ? dash : cell;
}

void append_line(std::string& out, const std::vector<std::string>& cells,
                 const std::vector<size_t>& widths) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
        const std::string& c = i < cells.size() ? shown(cells[i]) : shown({});
        if (i + 1 < widths.size())
            line += fmt::format("{:<{}} ", c, widths[i]);
        else
            line += c;
    }
    out += line;
    out += '\n';
}

}  // namespace

std::string render_table(const Table& table, bool legend) {
    size_t ncols = table.header.size();
    for (const auto& r : table.rows)
        ncols = std::max(ncols, r.size());
    std::vector<size_t> widths(ncols, 0);
    auto measure = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i)
            widths[i] = std::max(widths[i], shown(cells[i]).size());
    };
    if (legend)
        measure(table.header);
    for (const auto& r : table.rows)
        measure(r);

    std::string out;
    if (legend && !table.header.empty())
        append_line(out, table.header, widths);
    for (const auto& r : table.rows)
        append_line(out, r, widths);
    return out;
}

std::string listed_footer(size_t count, std::string_view singular, std::string_view plural) {
    return fmt::format("{} {} listed.", count, count == 1 ? singular : plural);
}

std::string render_listing(const Table& table, bool legend, std::string_view singular,
                           std::string_view plural) {
    std::string out = render_table(table, legend);
    if (legend)
        out += fmt::format("\n{}\n", listed_footer(table.rows.size(), singular, plural));
    return out;
}

}  // namespace perouter::cli
