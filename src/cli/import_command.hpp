// `perouterctl import`: the upstream Open PE Router's YAML (static host-mode files and
// Kubernetes resources) converted to perouter TOML by src/importer, printed or written to a
// file. Needs no daemon.
#pragma once

#include <string>
#include <vector>

#include "cli/config_commands.hpp"
#include "common/result.hpp"

namespace perouter::cli {

/// `import [--output FILE] YAML...` ("-" reads standard input). Writes the TOML to standard
/// output, or replaces FILE atomically (mode 0600 when a neighbor has a password, else 0644).
/// Errors and notes go to standard error as "FILE:LINE:COL: message". Exit 0, 1 when an input
/// cannot be read or holds something perouter cannot import (nothing is written then), 2 usage.
int run_import(const std::vector<std::string>& files, const std::string& output, Streams io);

/// Replaces `path` by `text` through a hidden temporary file in the same directory (so a
/// watching perouterd never sees a half-written *.toml), with the given mode.
Status write_file_atomically(const std::string& path, const std::string& text, unsigned mode);

}  // namespace perouter::cli
