#include "frr/config_tree.hpp"

namespace perouter::frr {
namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

bool opens_top_level(std::string_view line) {
    return line.starts_with("vrf ") || line == "bfd" || line.starts_with("route-map ") ||
           line.starts_with("router ");
}

bool opens_sub_context(std::string_view parent, std::string_view line) {
    if (parent.starts_with("router "))
        return line.starts_with("address-family ");
    if (parent == "bfd")
        return line.starts_with("profile ");
    return false;
}

bool is_exit(std::string_view line) {
    return line == "exit" || line == "exit-vrf" || line == "exit-address-family";
}

}  // namespace

std::string_view exit_keyword(std::string_view header) {
    if (header.starts_with("vrf "))
        return "exit-vrf";
    if (header.starts_with("address-family "))
        return "exit-address-family";
    return "exit";
}

ConfigTree parse_config(std::string_view text) {
    ConfigTree tree;
    // Pointers stay valid: a vector only grows at the level that was just closed.
    ConfigBlock* top = nullptr;
    ConfigBlock* sub = nullptr;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        const std::string_view raw = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        const std::string_view line = trim(raw);
        if (line.empty() || line.starts_with('!') || line == "end")
            continue;

        if (sub != nullptr) {
            if (is_exit(line)) {
                sub = nullptr;
            } else {
                sub->lines.emplace_back(line);
            }
        } else if (top != nullptr) {
            if (is_exit(line)) {
                top = nullptr;
            } else if (opens_sub_context(top->header, line)) {
                sub = &top->children.emplace_back(ConfigBlock{std::string(line), {}, {}});
            } else {
                top->lines.emplace_back(line);
            }
        } else if (opens_top_level(line)) {
            top = &tree.blocks.emplace_back(ConfigBlock{std::string(line), {}, {}});
        } else {
            tree.globals.emplace_back(line);
        }
    }
    return tree;
}

}  // namespace perouter::frr
