#include "importer/yaml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace perouter::importer {
namespace {

// Far more mappings than the largest real configuration (16384 VPNs of a few mappings each).
constexpr size_t kMaxMappings = 200000;

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view kind_of(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a scalar";
        default:
            return "null";
    }
}

// A scalar written plainly (tag "?") or explicitly tagged as an integer may be an integer; a
// quoted one ("!") is a string, as in upstream's decoding.
bool plain_or_int(const YAML::Node& node) {
    return node.Tag() == "?" || node.Tag() == "tag:yaml.org,2002:int";
}

}  // namespace

SourcePos Sink::at(const YAML::Mark& mark) const {
    if (mark.is_null())
        return SourcePos{file_, 0, 0};
    return SourcePos{file_, static_cast<uint32_t>(mark.line + 1),
                     static_cast<uint32_t>(mark.column + 1)};
}

void Sink::error(const SourcePos& pos, std::string message) {
    if (!over_budget_)  // past the budget, the rest of the input is not read: no more to say
        errors_.push_back({pos, std::move(message)});
}

void Sink::note(const SourcePos& pos, std::string message) {
    notes_.push_back({pos, std::move(message)});
}

bool Sink::visit(const YAML::Node& node) {
    if (over_budget_)
        return false;
    if (++visits_ <= kMaxMappings)
        return true;
    errors_.push_back({at(node), fmt::format("more than {} mappings: not a configuration "
                                             "(YAML aliases?)",
                                             kMaxMappings)});
    over_budget_ = true;
    return false;
}

std::optional<int64_t> as_integer(const YAML::Node& node, std::string_view what, Sink& sink) {
    if (!node.IsScalar()) {
        sink.error(sink.at(node),
                   fmt::format("{}: expected an integer, got {}", what, kind_of(node)));
        return std::nullopt;
    }
    const std::string& s = node.Scalar();
    if (!plain_or_int(node)) {
        sink.error(sink.at(node),
                   fmt::format("{}: expected an integer, got the string \"{}\"", what, s));
        return std::nullopt;
    }
    // Decimal only: YAML readers disagree on 0x10, 010 (octal in YAML 1.1) and 1_000; say so
    // rather than guess which number was meant.
    std::string_view digits = s;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-'))
        digits.remove_prefix(1);
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit) ||
        (digits.size() > 1 && digits[0] == '0')) {
        sink.error(sink.at(node),
                   fmt::format("{}: expected a decimal integer, got \"{}\"", what, s));
        return std::nullopt;
    }
    int64_t v = 0;
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
        sink.error(sink.at(node), fmt::format("{}: {} is out of range", what, s));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> as_boolean(const YAML::Node& node, std::string_view what, Sink& sink) {
    if (!node.IsScalar()) {
        sink.error(sink.at(node),
                   fmt::format("{}: expected true or false, got {}", what, kind_of(node)));
        return std::nullopt;
    }
    const std::string& s = node.Scalar();
    if (node.Tag() == "?" || node.Tag() == "tag:yaml.org,2002:bool") {
        for (std::string_view t : {"true", "True", "TRUE"})
            if (s == t)
                return true;
        for (std::string_view f : {"false", "False", "FALSE"})
            if (s == f)
                return false;
    }
    sink.error(sink.at(node), fmt::format("{}: expected true or false, got \"{}\"", what, s));
    return std::nullopt;
}

std::optional<std::string> as_string(const YAML::Node& node, std::string_view what, Sink& sink) {
    if (!node.IsScalar()) {
        sink.error(sink.at(node),
                   fmt::format("{}: expected a string, got {}", what, kind_of(node)));
        return std::nullopt;
    }
    return node.Scalar();
}

Fields::Fields(const YAML::Node& node, std::string what, Sink& sink)
    : node_(node), what_(std::move(what)), sink_(sink) {
    if (node.IsNull())
        return;
    if (!node.IsMap()) {
        sink_.error(sink_.at(node),
                    fmt::format("{}: expected a mapping, got {}", what_, kind_of(node)));
        return;
    }
    if (!sink_.visit(node))
        return;
    for (const auto& kv : node) {
        const YAML::Node& k = kv.first;
        if (!k.IsScalar()) {
            sink_.error(sink_.at(k), fmt::format("{}: a key must be a string", what_));
            continue;
        }
        if (const Entry* before = find(k.Scalar())) {
            sink_.error(sink_.at(k), fmt::format("{}: duplicate field \"{}\" (also at {})", what_,
                                                 k.Scalar(), sink_.at(before->key_node).str()));
            continue;
        }
        entries_.push_back({k.Scalar(), k, kv.second, false});
    }
}

const Fields::Entry* Fields::find(std::string_view key) const {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.key == key; });
    return it == entries_.end() ? nullptr : &*it;
}

bool Fields::has(std::string_view key) const {
    const Entry* e = find(key);
    return e != nullptr && !e->value.IsNull();
}

SourcePos Fields::key_pos(std::string_view key) const {
    const Entry* e = find(key);
    return e != nullptr ? sink_.at(e->key_node) : pos();
}

std::vector<std::string> Fields::keys() const {
    std::vector<std::string> out;
    for (const Entry& e : entries_)
        out.push_back(e.key);
    return out;
}

std::optional<YAML::Node> Fields::take(std::string_view key) {
    asked_.emplace_back(key);
    auto e = std::find_if(entries_.begin(), entries_.end(),
                          [&](const Entry& x) { return x.key == key; });
    if (e == entries_.end())
        return std::nullopt;
    e->taken = true;
    if (e->value.IsNull())
        return std::nullopt;
    return e->value;
}

std::optional<int64_t> Fields::integer(std::string_view key) {
    auto v = take(key);
    if (!v)
        return std::nullopt;
    return as_integer(*v, key, sink_);
}

std::optional<std::string> Fields::string(std::string_view key) {
    auto v = take(key);
    if (!v)
        return std::nullopt;
    return as_string(*v, key, sink_);
}

std::optional<bool> Fields::boolean(std::string_view key) {
    auto v = take(key);
    if (!v)
        return std::nullopt;
    return as_boolean(*v, key, sink_);
}

std::optional<std::vector<std::string>> Fields::strings(std::string_view key) {
    auto items = sequence(key);
    if (!items)
        return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (const YAML::Node& item : *items) {
        auto s = as_string(item, fmt::format("{}[{}]", key, out.size()), sink_);
        if (!s) {
            ok = false;
            continue;
        }
        out.push_back(std::move(*s));
    }
    if (!ok)
        return std::nullopt;
    return out;
}

std::optional<std::string> Fields::choice(std::string_view key,
                                          std::initializer_list<Spelling> values) {
    auto s = string(key);
    if (!s)
        return std::nullopt;
    for (const auto& [upstream, ours] : values)
        if (same_ignoring_case(*s, upstream))
            return std::string(ours);
    std::vector<std::string> names;
    for (const auto& v : values)
        names.push_back(fmt::format("\"{}\"", v.first));
    error(key, fmt::format("\"{}\" is not one of {}", *s, fmt::join(names, ", ")));
    return std::nullopt;
}

std::optional<std::vector<YAML::Node>> Fields::sequence(std::string_view key) {
    auto v = take(key);
    if (!v)
        return std::nullopt;
    if (!v->IsSequence()) {
        sink_.error(sink_.at(*v), fmt::format("{}: expected a list, got {}", key, kind_of(*v)));
        return std::nullopt;
    }
    std::vector<YAML::Node> out;
    for (const YAML::Node& item : *v)
        out.push_back(item);
    return out;
}

void Fields::error(std::string_view key, std::string_view message) {
    sink_.error(key_pos(key), fmt::format("{}: {}", key, message));
}

void Fields::missing(std::string_view key) {
    sink_.error(pos(), fmt::format("{}: missing field \"{}\"", what_, key));
}

void Fields::refuse(std::string_view key, std::string_view reason) {
    if (find(key) == nullptr) {
        asked_.emplace_back(key);
        return;
    }
    take(key);
    error(key, reason);
}

void Fields::finish() {
    for (const Entry& e : entries_) {
        if (e.taken)
            continue;
        auto like = std::find_if(asked_.begin(), asked_.end(), [&](const std::string& a) {
            return same_ignoring_case(a, e.key);
        });
        if (like != asked_.end())
            sink_.error(sink_.at(e.key_node),
                        fmt::format("unknown field \"{}\" in {} (upstream spells it \"{}\")", e.key,
                                    what_, *like));
        else
            sink_.error(sink_.at(e.key_node),
                        fmt::format("unknown field \"{}\" in {}", e.key, what_));
    }
}

}  // namespace perouter::importer
