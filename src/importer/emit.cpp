#include "importer/emit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace perouter::importer {
namespace {

// Double-quoted strings, as perouter.toml(5) writes them; multi-line ones for raw FRR text.
constexpr toml::format_flags kFlags =
    toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings;

bool is_section(const toml::node& n) {
    return n.is_table() && !n.as_table()->is_inline();
}

bool is_section_list(const toml::node& n) {
    return n.is_array() && !n.as_array()->empty() && n.as_array()->is_array_of_tables();
}

/// The table's keys: "name" and "priority" first (what an entry is), then alphabetical.
std::vector<std::string_view> ordered_keys(const toml::table& t) {
    auto rank = [](std::string_view k) { return k == "name" ? 0 : k == "priority" ? 1 : 2; };
    std::vector<std::string_view> keys;
    for (auto&& [k, v] : t)
        keys.push_back(k.str());
    std::stable_sort(keys.begin(), keys.end(),
                     [&](std::string_view a, std::string_view b) { return rank(a) < rank(b); });
    return keys;
}

/// "[path]" or "[[path]]", its plain keys, then its sub-tables and lists of tables. A table
/// holding only sub-tables is left to them ("[passthrough.host_session]" alone, as
/// perouter.toml(5) writes it).
void section(std::ostream& out, const std::string& path, const toml::table& t, bool entry) {
    const auto keys = ordered_keys(t);
    auto plain = [&](std::string_view k) {
        const toml::node& v = *t.get(k);
        return !is_section(v) && !is_section_list(v);
    };
    bool header = entry || t.empty() || std::any_of(keys.begin(), keys.end(), plain);
    if (header)
        out << (entry ? "[[" : "[") << path << (entry ? "]]" : "]") << '\n';
    for (std::string_view k : keys) {
        if (!plain(k))
            continue;
        toml::table one;
        one.insert(k, *t.get(k));
        out << toml::toml_formatter{one, kFlags} << '\n';
    }
    bool first = !header;
    for (std::string_view k : keys) {
        const toml::node& v = *t.get(k);
        std::string sub = fmt::format("{}.{}", path, k);
        if (is_section(v)) {
            out << (first ? "" : "\n");
            section(out, sub, *v.as_table(), false);
        } else if (is_section_list(v)) {
            for (const toml::node& e : *v.as_array()) {
                out << (first ? "" : "\n");
                section(out, sub, *e.as_table(), true);
                first = false;
            }
        }
        first = false;
    }
}

void piece(std::ostream& out, const std::string& path, const Piece& p, bool entry) {
    out << fmt::format("\n# from {} ({})\n", p.from.str(), p.label);
    section(out, path, p.table, entry);
}

}  // namespace

std::string emit_toml(const Pieces& pieces, const std::vector<std::string>& files,
                      const Diagnostics& notes) {
    std::ostringstream out;
    out << "# perouter configuration (perouter.toml(5)) imported by perouterctl from the Open PE\n"
           "# Router's files:\n";
    for (const auto& f : files)
        out << "#   " << f << '\n';
    out << "# Check it with \"perouterctl validate\" before installing it.\n";
    if (!notes.empty()) {
        out << "#\n# Not imported (nothing perouter configures):\n";
        for (const auto& n : notes)
            out << "#   " << n.str() << '\n';
    }
    if (pieces.node)
        piece(out, "node", *pieces.node, false);
    if (pieces.underlay)
        piece(out, "underlay", *pieces.underlay, false);
    for (const Piece& p : pieces.l3vnis)
        piece(out, "l3vni", p, true);
    for (const Piece& p : pieces.l2vnis)
        piece(out, "l2vni", p, true);
    if (pieces.passthrough)
        piece(out, "passthrough", *pieces.passthrough, false);
    for (const Piece& p : pieces.raw_frr)
        piece(out, "raw_frr", p, true);
    return std::move(out).str();
}

}  // namespace perouter::importer
