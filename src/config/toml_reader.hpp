// Typed access to one TOML table for the converters. Every getter records where the key was
// written (Positions) and turns a wrong type or an out-of-range value into a Diagnostic; the
// constructor reports the keys the table's KeyTable does not know. Getters return nullopt when
// the key is absent or unusable, so a converter can keep going and report everything at once.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/source_pos.hpp"
#include "config/keys.hpp"
#include "config/load.hpp"
#include "config/model.hpp"

namespace perouter::config {

SourcePos to_pos(const toml::source_region& region);

/// Parses one file's text; a syntax error becomes a diagnostic and nullopt.
std::optional<toml::table> parse_toml(const ConfigText& text, Diagnostics& diags);

/// A string array element with the place it was written.
struct StringItem {
    std::string value;
    SourcePos pos;
};

class TableReader {
  public:
    /// Positions are stored under `prefix + key`, so a nested table without its own Positions
    /// (local_cidr) can record into its parent's ("local_cidr.ipv4"). Without a prefix the table
    /// itself is recorded under "".
    TableReader(const toml::table& table, const KeyTable& keys, Positions& pos, Diagnostics& diags,
                std::string prefix = {});
    ~TableReader() { pos_.shrink(); }
    TableReader(const TableReader&) = delete;
    TableReader& operator=(const TableReader&) = delete;

    std::string_view where() const { return keys_.display; }
    /// The key was written (whatever its value).
    bool has(std::string_view key) const;
    SourcePos pos(std::string_view key) const;
    const SourcePos& table_pos() const { return table_pos_; }

    void error(std::string_view key, std::string message);
    void error_at(const SourcePos& pos, std::string message);
    void missing(std::string_view key);
    /// Both keys written: reports at the second one.
    void exclusive(std::string_view a, std::string_view b);

    std::optional<std::string> string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
    template <class T>
    std::optional<T> number(std::string_view key, int64_t min, int64_t max) {
        auto v = integer(key, min, max);
        if (!v)
            return std::nullopt;
        return static_cast<T>(*v);
    }
    /// A string out of a fixed set; returns its index in `options`.
    std::optional<size_t> choice(std::string_view key,
                                 std::initializer_list<std::string_view> options);
    std::optional<IpAddress> address(std::string_view key);
    std::optional<IpPrefix> prefix(std::string_view key);
    /// An interface name (upstream's regex, at most 15 characters).
    std::optional<std::string> interface_name(std::string_view key);
    /// An interface name the operator chooses for a link next to perouter's own (a VRF, an
    /// external bridge): interface_name() plus reserved_name_problem().
    std::optional<std::string> own_link_name(std::string_view key);
    std::optional<std::vector<StringItem>> strings(std::string_view key);
    const toml::table* table(std::string_view key);
    /// An array whose elements are all tables.
    std::optional<std::vector<const toml::table*>> tables(std::string_view key);
    /// The raw node, for keys that accept more than one type. Records the position.
    const toml::node* node(std::string_view key);

    void type_error(std::string_view key, std::string_view expected);

  private:
    std::string full(std::string_view key) const { return prefix_ + std::string(key); }

    const toml::table& table_;
    const KeyTable& keys_;
    Positions& pos_;
    Diagnostics& diags_;
    std::string prefix_;
    SourcePos table_pos_;
};

}  // namespace perouter::config
