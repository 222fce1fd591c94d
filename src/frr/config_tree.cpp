#include "frr/config_tree.hpp"

#include <algorithm>

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
           line.starts_with("router ") || line.starts_with("interface ") ||
           line.starts_with("key chain ") || line == "segment-routing";
}

bool opens_sub_context(std::string_view parent, std::string_view line) {
    if (parent.starts_with("router "))
        return line.starts_with("address-family ") || line == "segment-routing srv6";
    // zebra's locators: segment-routing / srv6 / locators / locator NAME.
    if (parent == "segment-routing")
        return line == "srv6";
    if (parent == "srv6")
        return line == "locators";
    if (parent == "locators")
        return line.starts_with("locator ");
    if (parent == "address-family l2vpn evpn")
        return line.starts_with("vni ");
    if (parent == "bfd")
        return line.starts_with("profile ") || line.starts_with("peer ");
    if (parent.starts_with("key chain "))
        return line.starts_with("key ");
    return false;
}

bool is_exit(std::string_view line) {
    return line == "exit" || line == "exit-vrf" || line == "exit-address-family" ||
           line == "exit-vni";
}

// The block with `header` among `blocks` (indexed by `index`), created at the end when there
// is none.
ConfigBlock& open_block(std::vector<ConfigBlock>& blocks, HeaderIndex& index,
                        std::string_view header) {
    if (auto it = index.find(header); it != index.end())
        return blocks[it->second];
    index.emplace(std::string(header), blocks.size());
    return blocks.emplace_back(ConfigBlock{std::string(header), {}, {}, {}});
}

}  // namespace

std::string_view exit_keyword(std::string_view header) {
    if (header.starts_with("vrf "))
        return "exit-vrf";
    if (header.starts_with("address-family "))
        return "exit-address-family";
    if (header.starts_with("vni "))
        return "exit-vni";
    return "exit";
}

ConfigTree parse_config(std::string_view text) {
    ConfigTree tree;
    // The open contexts, outermost first. Pointers stay valid: a vector of blocks only grows
    // at the innermost open level, and every deeper context is closed by then.
    std::vector<ConfigBlock*> open;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        const std::string_view raw = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        const std::string_view line = trim(raw);
        if (line.empty() || line.starts_with('!') || line == "end")
            continue;
        if (is_exit(line)) {
            if (!open.empty())
                open.pop_back();
            continue;
        }
        if (raw.front() != ' ' && raw.front() != '\t')
            open.clear();
        if (open.empty()) {
            if (opens_top_level(line)) {
                open.push_back(&open_block(tree.blocks, tree.block_index, line));
            } else {
                tree.globals.emplace_back(line);
            }
            continue;
        }
        // A line may open a sub-context of any open context (vtysh climbs up to the context
        // that knows the command); the contexts inside that one are left.
        auto opener = std::find_if(open.rbegin(), open.rend(), [&](const ConfigBlock* b) {
            return opens_sub_context(b->header, line);
        });
        if (opener != open.rend()) {
            open.erase(opener.base(), open.end());
            ConfigBlock* parent = open.back();
            open.push_back(&open_block(parent->children, parent->child_index, line));
            continue;
        }
        open.back()->lines.emplace_back(line);
    }
    return tree;
}

}  // namespace perouter::frr
