// Typed, positioned access to the YAML mappings of upstream's files. Every field a converter
// takes is marked; finish() reports the fields nobody took, so nothing the input says is dropped
// unnoticed. Getters turn a wrong shape into a Diagnostic at the value and return nullopt, so a
// converter keeps going and one run reports every problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/source_pos.hpp"

namespace perouter::importer {

/// Where diagnostics of one input file go.
class Sink {
  public:
    Sink(std::string file, Diagnostics& errors, Diagnostics& notes)
        : file_(std::move(file)), errors_(errors), notes_(notes) {}

    SourcePos at(const YAML::Node& node) const { return at(node.Mark()); }
    SourcePos at(const YAML::Mark& mark) const;
    void error(const SourcePos& pos, std::string message);
    /// Something left out on purpose (it configures nothing perouter has): shown, not fatal.
    void note(const SourcePos& pos, std::string message);

    /// Counts one mapping visited; false (after one error) once the file has more mappings than
    /// any real configuration: YAML aliases can make a small file expand without bound. Past
    /// that, nothing more is read and no more errors are reported.
    bool visit(const YAML::Node& node);

  private:
    std::string file_;
    Diagnostics& errors_;
    Diagnostics& notes_;
    size_t visits_ = 0;
    bool over_budget_ = false;
};

/// An upstream value and what perouter calls it: {"External", "external"}.
using Spelling = std::pair<std::string_view, std::string_view>;

/// One YAML mapping. `what` names it in messages ("neighbor", "L3VNI spec").
class Fields {
  public:
    /// A null node (or none) is an empty mapping; anything but a mapping is reported.
    Fields(const YAML::Node& node, std::string what, Sink& sink);
    Fields(const std::optional<YAML::Node>& node, std::string what, Sink& sink)
        : Fields(node.value_or(YAML::Node()), std::move(what), sink) {}

    Sink& sink() const { return sink_; }
    SourcePos pos() const { return sink_.at(node_); }
    /// The field was written with a value other than null (null means absent, as upstream's
    /// JSON decoding has it).
    bool has(std::string_view key) const;
    /// Where the key itself was written (the mapping's position when it was not).
    SourcePos key_pos(std::string_view key) const;
    /// The keys written, in the file's order (for mappings whose keys are data, such as CNI's
    /// capabilities).
    std::vector<std::string> keys() const;

    /// The value, marking the field taken; nullopt when absent or null.
    std::optional<YAML::Node> take(std::string_view key);
    /// Marks a field taken without converting it (it carries nothing perouter configures).
    void skip(std::string_view key) { take(key); }

    std::optional<int64_t> integer(std::string_view key);
    std::optional<std::string> string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::vector<std::string>> strings(std::string_view key);
    /// An upstream enum value, matched without regard to case; returns perouter's spelling.
    std::optional<std::string> choice(std::string_view key, std::initializer_list<Spelling> values);
    /// The elements of a sequence, for the caller to read.
    std::optional<std::vector<YAML::Node>> sequence(std::string_view key);

    void error(std::string_view key, std::string_view message);
    void missing(std::string_view key);
    /// Refuses a field perouter has no equivalent for: an error at the key when it was written.
    void refuse(std::string_view key, std::string_view reason);

    /// Reports every field not taken as unknown (with a hint when it differs from a field the
    /// converter asked for only in case: older upstream releases wrote "hostasn"). Call once,
    /// after the converter took its fields.
    void finish();

  private:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
        bool taken = false;
    };
    const Entry* find(std::string_view key) const;

    YAML::Node node_;
    std::string what_;
    Sink& sink_;
    std::vector<Entry> entries_;
    std::vector<std::string> asked_;
};

/// A scalar as an integer: plain decimal digits with an optional sign, as upstream's JSON
/// decoding reads integer fields. `what` names the value in the message.
std::optional<int64_t> as_integer(const YAML::Node& node, std::string_view what, Sink& sink);
/// A scalar as a boolean: plain true or false (YAML 1.2's spellings, as JSON writes them).
std::optional<bool> as_boolean(const YAML::Node& node, std::string_view what, Sink& sink);
/// A scalar as a string (any scalar; a mapping or sequence is reported).
std::optional<std::string> as_string(const YAML::Node& node, std::string_view what, Sink& sink);

}  // namespace perouter::importer
