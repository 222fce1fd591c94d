#include "config/toml_reader.hpp"

#include <fmt/format.h>

#include "config/limits.hpp"
#include "config/names.hpp"

namespace perouter::config {

/// toml++ writes "Error while parsing ..."; every other message here is lower-case.
static Diagnostic syntax_error(const toml::source_region& where, std::string_view description) {
    std::string message(description);
    if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z')
        message[0] = static_cast<char>(message[0] - 'A' + 'a');
    return {to_pos(where), std::move(message)};
}

std::optional<toml::table> parse_toml(const ConfigText& t, Diagnostics& diags) {
    if (auto limit = check_text_limits(t.text, t.path)) {
        diags.push_back(std::move(*limit));
        return std::nullopt;
    }
#if TOML_EXCEPTIONS
    try {
        return toml::parse(t.text, std::string_view(t.path));
    } catch (const toml::parse_error& e) {
        diags.push_back(syntax_error(e.source(), e.description()));
        return std::nullopt;
    }
#else
    toml::parse_result r = toml::parse(t.text, std::string_view(t.path));
    if (!r) {
        diags.push_back(syntax_error(r.error().source(), r.error().description()));
        return std::nullopt;
    }
    return std::move(r).table();
#endif
}

SourcePos to_pos(const toml::source_region& region) {
    SourcePos p;
    if (region.path)
        p.file = SourceFile(region.path);
    p.line = region.begin.line;
    p.column = region.begin.column;
    return p;
}

TableReader::TableReader(const toml::table& table, const KeyTable& keys, Positions& pos,
                         Diagnostics& diags, std::string prefix)
    : table_(table), keys_(keys), pos_(pos), diags_(diags), prefix_(std::move(prefix)) {
    table_pos_ = to_pos(table.source());
    if (prefix_.empty())
        pos_.set("", table_pos_);
    for (auto&& [key, value] : table_) {
        if (!keys_.accepts(key.str())) {
            diags_.push_back(
                {to_pos(key.source()), fmt::format("unknown key '{}' in {}", key.str(), where())});
        }
    }
}

bool TableReader::has(std::string_view key) const {
    return table_.contains(key);
}

SourcePos TableReader::pos(std::string_view key) const {
    auto p = pos_.find(full(key));
    return p ? *std::move(p) : table_pos_;
}

void TableReader::error(std::string_view key, std::string message) {
    error_at(pos(key), std::move(message));
}

void TableReader::error_at(const SourcePos& pos, std::string message) {
    diags_.push_back({pos, std::move(message)});
}

void TableReader::missing(std::string_view key) {
    error_at(table_pos_, fmt::format("missing '{}' in {}", key, where()));
}

void TableReader::exclusive(std::string_view a, std::string_view b) {
    error(b, fmt::format("'{}' and '{}' are mutually exclusive", a, b));
}

void TableReader::type_error(std::string_view key, std::string_view expected) {
    error(key, fmt::format("'{}' must be {}", key, expected));
}

const toml::node* TableReader::node(std::string_view key) {
    if (!keys_.accepts(key)) {
        // A converter asked for a key its KeyTable lacks: a programming error that the unit
        // tests surface, because every well-formed document then fails to load.
        error_at(table_pos_,
                 fmt::format("internal error: key '{}' is not declared for {}", key, where()));
        return nullptr;
    }
    const toml::node* n = table_.get(key);
    if (n)
        pos_.set(full(key), to_pos(n->source()));
    return n;
}

std::optional<std::string> TableReader::string(std::string_view key) {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (n->is_string())
        return n->as_string()->get();
    type_error(key, "a string");
    return std::nullopt;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (n->is_boolean())
        return n->as_boolean()->get();
    type_error(key, "a boolean");
    return std::nullopt;
}

std::optional<int64_t> TableReader::integer(std::string_view key, int64_t min, int64_t max) {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    if (!n->is_integer()) {
        type_error(key, "an integer");
        return std::nullopt;
    }
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
        error(key, fmt::format("'{}' must be {}..{}, got {}", key, min, max, v));
        return std::nullopt;
    }
    return v;
}

std::optional<size_t> TableReader::choice(std::string_view key,
                                          std::initializer_list<std::string_view> options) {
    auto s = string(key);
    if (!s)
        return std::nullopt;
    size_t i = 0;
    for (auto option : options) {
        if (*s == option)
            return i;
        ++i;
    }
    std::string allowed;
    i = 0;
    for (auto option : options) {
        if (i > 0)
            allowed += i + 1 == options.size() ? " or " : ", ";
        allowed += fmt::format("\"{}\"", option);
        ++i;
    }
    error(key, fmt::format("'{}' must be {}, got '{}'", key, allowed, *s));
    return std::nullopt;
}

std::optional<IpAddress> TableReader::address(std::string_view key) {
    auto s = string(key);
    if (!s)
        return std::nullopt;
    auto a = IpAddress::parse(*s);
    if (!a)
        error(key, fmt::format("'{}' must be an ip address, got '{}'", key, *s));
    return a;
}

std::optional<IpPrefix> TableReader::prefix(std::string_view key) {
    auto s = string(key);
    if (!s)
        return std::nullopt;
    auto p = IpPrefix::parse(*s);
    if (!p)
        error(key, fmt::format("'{}' must be a cidr (ADDR/LEN), got '{}'", key, *s));
    return p;
}

std::optional<std::string> TableReader::interface_name(std::string_view key) {
    auto s = string(key);
    if (!s)
        return std::nullopt;
    if (auto problem = interface_name_problem(*s)) {
        error(key, fmt::format("invalid '{}' '{}': {}", key, *s, *problem));
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> TableReader::own_link_name(std::string_view key) {
    auto s = interface_name(key);
    if (!s)
        return std::nullopt;
    if (auto problem = reserved_name_problem(*s)) {
        error(key, fmt::format("invalid '{}' '{}': {}", key, *s, *problem));
        return std::nullopt;
    }
    return s;
}

std::optional<std::vector<StringItem>> TableReader::strings(std::string_view key) {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr) {
        type_error(key, "an array of strings");
        return std::nullopt;
    }
    std::vector<StringItem> out;
    bool ok = true;
    for (const toml::node& el : *arr) {
        if (!el.is_string()) {
            error_at(to_pos(el.source()), fmt::format("'{}' must be an array of strings", key));
            ok = false;
            continue;
        }
        out.push_back({el.as_string()->get(), to_pos(el.source())});
    }
    if (!ok)
        return std::nullopt;
    return out;
}

const toml::table* TableReader::table(std::string_view key) {
    const toml::node* n = node(key);
    if (!n)
        return nullptr;
    if (const toml::table* t = n->as_table())
        return t;
    type_error(key, "a table");
    return nullptr;
}

std::optional<std::vector<const toml::table*>> TableReader::tables(std::string_view key) {
    const toml::node* n = node(key);
    if (!n)
        return std::nullopt;
    const toml::array* arr = n->as_array();
    if (!arr) {
        type_error(key, "an array of tables");
        return std::nullopt;
    }
    std::vector<const toml::table*> out;
    bool ok = true;
    for (const toml::node& el : *arr) {
        if (const toml::table* t = el.as_table()) {
            out.push_back(t);
        } else {
            error_at(to_pos(el.source()), fmt::format("'{}' must be an array of tables", key));
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    return out;
}

}  // namespace perouter::config
