// The commands that read the configuration files themselves and need no daemon: validate,
// cat-config, show-config. They write to the given streams so tests can run them in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/load.hpp"

namespace perouter::cli {

struct Streams {
    std::ostream& out;
    std::ostream& err;
    std::istream& in;
};

struct LocalOptions {
    std::string root;  // prefix of the configuration directories
    std::string json;  // "" = human output, else "pretty" or "short"
};

/// A configuration file with the name it has, or would have, in the merge: "perouter.toml"
/// for a main file, "perouter.d/<base name>" for a drop-in.
struct NamedText {
    std::string name;
    config::ConfigText text;
};

/// The merge name FILE would have if it were installed: "perouter.toml" when its base name is
/// perouter.toml, else "perouter.d/<base name>". "-" (standard input) sorts after every drop-in.
std::string install_name(std::string_view path);

/// The texts `perouterctl validate` checks: the installed files (already in merge order) with
/// each extra file placed where it would be merged if installed in /etc/perouter: it replaces
/// an installed file of the same name (so a file being edited in place is checked once, in its
/// own position), otherwise it joins the drop-ins in lexical order of its base name. Two extra
/// files with the same name are a usage error.
Result<std::vector<config::ConfigText>> validation_set(std::vector<NamedText> installed,
                                                       const std::vector<NamedText>& extra);

/// `validate [--standalone] FILE...`. Exit 0 valid, 1 invalid or unreadable, 2 usage.
int run_validate(const LocalOptions& opts, const std::vector<std::string>& files, bool standalone,
                 Streams io);

/// `cat-config`. Exit 0, or 1 when a directory or file cannot be read.
int run_cat_config(const LocalOptions& opts, Streams io);

/// `show-config`: the merged, validated model as JSON. Exit 0, or 1 when invalid.
int run_show_config(const LocalOptions& opts, Streams io);

}  // namespace perouter::cli
