// Configuration sources: finding the files (discovery) and turning their text into a validated
// Config (parse). Discovery reads directories; parsing reads nothing but the text it is given.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/source_pos.hpp"
#include "config/model.hpp"

namespace perouter::config {

/// Where the configuration lives. `root` prefixes every directory so tests and the lab never
/// touch the real system ("" = the real /).
struct Layout {
    std::string root;

    /// Lowest precedence first: /usr/lib/perouter, /run/perouter, /etc/perouter (each prefixed).
    std::vector<std::string> dirs() const;
    std::string main_file_name() const { return "perouter.toml"; }
    std::string dropin_dir_name() const { return "perouter.d"; }
};

/// One file name after precedence was applied. `path` is the winner; `overridden` lists the
/// same-named files of lower precedence it hides. A masked entry (empty file or symlink to
/// /dev/null) contributes nothing and hides the lower ones.
struct DiscoveredFile {
    std::string name;  // "perouter.toml" or "perouter.d/50-blue.toml"
    std::string path;
    std::vector<std::string> overridden;
    bool masked = false;
};

/// The files in the order they are merged: the main file first, then the drop-ins of all three
/// directories in one lexical order of their base names.
Result<std::vector<DiscoveredFile>> discover(const Layout& layout);

/// The order of drop-ins: one lexical order of base names over all directories, bytewise.
struct DropinOrder {
    bool operator()(std::string_view a, std::string_view b) const { return a < b; }
};

/// The text of one configuration file; `path` is what error messages print. `main` marks the
/// main file (perouter.toml), which assemble() never skips.
struct ConfigText {
    std::string path;
    std::string text;
    bool main = false;

    bool operator==(const ConfigText&) const = default;
};

/// Parses every text, merges them in order, converts to the typed model and validates it.
/// Pure. All errors of the load are returned together; any error rejects the whole load.
/// Merge rules (config/toml_merge.hpp, perouter.toml(5)): tables merge key by key; a later scalar
/// or plain array replaces the earlier one; [[l3vni]] and [[l2vni]] entries are keyed by `name` (a
/// later entry with the same name replaces the earlier one whole, new names are appended).
Result<Config, Diagnostics> parse(const std::vector<ConfigText>& texts);

/// Validates one extra VPN document (the TOML a D-Bus caller or a drop-in would add) against
/// an already merged set of texts: equivalent to parse(base + {extra}).
Result<Config, Diagnostics> parse_with(const std::vector<ConfigText>& base,
                                       const ConfigText& extra);

/// `texts` (merge order, as a load reads them) with the drop-in `extra` where a load of the
/// files would read it: after the main file, among the drop-ins in DropinOrder of base names.
std::vector<ConfigText> with_dropin(std::vector<ConfigText> texts, ConfigText extra);

/// FRR's own syntax check of one [[raw_frr]] block (the daemon passes `vtysh -C`, see
/// daemon/raw_frr_check.hpp): nullopt when FRR accepts it, else FRR's words. The loader stays
/// pure; a block FRR rejects is a diagnostic at its `config` key, so a drop-in holding it is
/// left out like any other bad drop-in, and a main file holding it fails.
using RawFrrCheck = std::function<std::optional<std::string>(const std::string& config)>;

/// A drop-in that assemble() left out, with the diagnostics that name it.
struct SkippedFile {
    std::string path;
    Diagnostics diagnostics;
};

/// A configuration assembled file by file: each drop-in stands alone, and one that fails (by
/// itself, or by clashing with the files it joins) is left out while the rest applies.
struct Assembly {
    /// The configuration of every file that stood; nullopt when the main file itself failed (or
    /// the files could not be listed): then `fatal` says why and nothing is usable.
    std::optional<Config> config;
    /// The texts `config` was built from, in merge order (what "the last good" saves).
    std::vector<ConfigText> texts;
    std::vector<SkippedFile> skipped;
    Diagnostics fatal;
    /// An [[l3vni]]/[[l2vni]] entry of one file replaced an earlier file's entry of the same name
    /// (what reassemble() cannot build on).
    bool replaced = false;

    /// Every file stood.
    bool clean() const { return config.has_value() && skipped.empty(); }
    /// `fatal` and every skipped file's diagnostics, in file order, capped.
    Diagnostics diagnostics() const;
};

/// Builds the configuration from `texts` (merge order), leaving out the drop-ins that fail.
/// Pure. Rounds: parse + merge + convert + validate everything still in; when a diagnostic
/// points into a drop-in, that drop-in is left out and the rest is tried again; when the only
/// diagnostics point into the main file (or nowhere), the main file failed and nothing stands.
Assembly assemble(const std::vector<ConfigText>& texts, const RawFrrCheck& raw_check = {});

/// What reassemble() builds on: a configuration and the texts it was assembled from (the texts
/// that stood), and whether an entry of one file replaced another's there (Assembly::replaced).
struct AssemblyBase {
    const std::vector<ConfigText>& texts;
    const Config& config;
    bool replaced = false;
};

/// assemble(texts), built from `base` by parsing only the texts that differ from base.texts:
/// a change of drop-ins that hold nothing but [[l3vni]]/[[l2vni]] entries (what AddVpn writes,
/// a file of many VPNs) costs what those files hold, not what every file holds. Pure.
/// nullopt when that does not apply: the main file or a file holding anything else changed, an
/// entry would replace another file's (or `base` has one that did), the result does not
/// validate (then assemble() finds which file to leave out). When it returns a configuration,
/// that configuration equals assemble(texts).config (tests/unit/config/reassemble_test.cpp).
std::optional<Assembly> reassemble(const AssemblyBase& base, const std::vector<ConfigText>& texts);

/// Files that are still being written (a watcher saw them created or modified and not yet
/// closed): load() does not read them but uses the text an earlier load read (`previous`), or
/// leaves them out without a word when there is none. A half-written file is never applied nor
/// reported; its IN_CLOSE_WRITE brings the next load.
struct InProgress {
    std::set<std::string> paths;
    const std::vector<ConfigText>* previous = nullptr;
};

/// The texts of the files discover() finds, read one at a time (a file in progress: its text in
/// `previous`, or nothing), before anything is parsed.
struct Sources {
    std::vector<ConfigText> texts;        // merge order
    std::vector<SkippedFile> unreadable;  // drop-ins that could not be read: left out
    Diagnostics fatal;                    // a directory could not be listed, or the main file read
};
Sources read_sources(const Layout& layout, const InProgress& in_progress = {},
                     const ConfigText* main_instead = nullptr);

/// assemble(sources.texts), with the files read_sources() could not read left out (or its fatal
/// error): what load() returns for those sources.
Assembly assemble(const Sources& sources, const RawFrrCheck& raw_check = {});

/// read_sources() + assemble(). A file that cannot be read is skipped like one that does not
/// parse; a directory that cannot be listed is fatal.
/// `main_instead`, when set, stands in for the main file on disk (at start, the last good main
/// file when the one on disk fails): the drop-ins are still read as they are now.
Assembly load(const Layout& layout, const InProgress& in_progress = {},
              const ConfigText* main_instead = nullptr, const RawFrrCheck& raw_check = {});

/// Reads the files discover() found (masked ones are skipped).
Result<std::vector<ConfigText>, Diagnostics> read_all(const std::vector<DiscoveredFile>& files);

}  // namespace perouter::config
