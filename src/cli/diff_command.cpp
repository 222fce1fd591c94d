#include "cli/diff_command.hpp"

#include <cstdlib>
#include <sstream>

#include "cli/json_output.hpp"
#include "common/process.hpp"

namespace perouter::cli {

namespace {

constexpr int kDiffFailed = 2;  // perouterd --diff: the diff could not be made

// $PEROUTERD (a build tree's binary, in tests), else the installed daemon.
std::string perouterd_path() {
    if (const char* env = std::getenv("PEROUTERD"); env != nullptr && *env != '\0')
        return env;
    return PEROUTERD_PATH;
}

}  // namespace

int run_diff(const Invocation& inv, Streams io) {
    std::vector<std::string> argv{perouterd_path(), "--diff",  "--root",       inv.root,
                                  "--netns",        inv.netns, "--host-netns", inv.host_netns,
                                  "--log-level",    "warn"};
    if (inv.host_netns.empty())
        argv.erase(argv.begin() + 6, argv.begin() + 8);
    auto r = run_process(argv, std::chrono::minutes(5));
    if (!r) {
        io.err << "Failed to diff: " << r.error().message << '\n';
        return kDiffFailed;
    }
    io.err << r->err;
    if (r->exit_code != 0 && r->exit_code != 1) {
        if (r->err.empty())
            io.err << "Failed to diff: " << argv[0] << " exited with " << r->exit_code << '\n';
        return kDiffFailed;
    }
    std::vector<std::string> lines;
    std::istringstream in(r->out);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    if (!inv.json.empty())
        io.out << dump_json({{"in_sync", lines.empty()}, {"changes", lines}}, inv.json);
    else
        io.out << r->out;
    return r->exit_code;
}

}  // namespace perouter::cli
