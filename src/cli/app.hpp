// perouterctl's command line (CLI11): every command and option, parsed into one Invocation.
// Kept apart from main() so tests can parse command lines and compare the command set with
// the shell completion.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/vpn_builder.hpp"

namespace perouter::cli {

struct Invocation {
    // Global options (accepted before or after the command).
    std::string json;  // "" = human output, else "pretty" or "short"
    std::string root;
    std::string bus_address;
    bool no_ask_password = false;
    bool no_legend = false;

    /// "status", "vpn list", "vpn show", "vpn add", "vpn remove", "reload", "validate",
    /// "diff", "cat-config", "show-config", "wait-online" or "import".
    std::string command;

    // vpn list
    bool names_only = false;
    // vpn show|add|remove
    std::string vpn_name;
    // vpn add
    std::string vpn_file;  // "" = build from flags, "-" = standard input
    bool persist = false;
    bool print_only = false;
    bool l2vni = false;
    bool l3vni = false;
    bool l3vpn = false;
    VpnSpec spec;
    // validate, import
    std::vector<std::string> files;
    // validate
    bool standalone = false;
    // import: "" = standard output
    std::string output;
    // diff
    std::string netns = "perouter";
    std::string host_netns;
    // wait-online; 0 = no timeout
    unsigned timeout_sec = 120;
};

/// Defines every command and option on `app`, storing the results in `inv`.
void define_app(CLI::App& app, Invocation& inv);

/// The command names in the order `perouterctl --help` lists them ("vpn" has subcommands).
std::vector<std::string> command_names(CLI::App& app);

}  // namespace perouter::cli
