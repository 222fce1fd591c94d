#include "cli/config_commands.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/bus_errors.hpp"
#include "cli/cat_config.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "config/to_json.hpp"

namespace perouter::cli {
namespace {

constexpr std::string_view kMainName = "perouter.toml";
constexpr std::string_view kStdinPath = "<stdin>";

Result<std::string> read_file(const std::string& path) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in)
        text << in.rdbuf();
    if (!in || in.bad())
        return fail(errno_error(errno != 0 ? errno : EIO, path));
    return std::move(text).str();
}

void print(std::ostream& os, const ErrorReport& r) {
    for (const auto& l : r.lines)
        os << l << '\n';
}

}  // namespace

std::string install_name(std::string_view path) {
    if (path == "-")
        return "perouter.d/\xff-";  // after every real name: bytes compare unsigned
    size_t slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (base == kMainName)
        return std::string(kMainName);
    return fmt::format("perouter.d/{}", base);
}

Result<std::vector<config::ConfigText>> validation_set(std::vector<NamedText> installed,
                                                       const std::vector<NamedText>& extra) {
    std::set<std::string> seen;
    for (const auto& e : extra) {
        if (!seen.insert(e.name).second)
            return fail(fmt::format("'{}' and another FILE would both be installed as {}",
                                    e.text.path, e.name));
        auto same = std::find_if(installed.begin(), installed.end(),
                                 [&](const NamedText& t) { return t.name == e.name; });
        if (same != installed.end()) {
            *same = e;
            continue;
        }
        // The main file leads; drop-ins follow in bytewise order of their names, as discovery
        // sorts them.
        auto at = std::find_if(installed.begin(), installed.end(), [&](const NamedText& t) {
            if (e.name == kMainName)
                return true;
            return t.name != kMainName && t.name > e.name;
        });
        installed.insert(at, e);
    }
    std::vector<config::ConfigText> out;
    for (auto& t : installed)
        out.push_back(std::move(t.text));
    return out;
}

int run_validate(const LocalOptions& opts, const std::vector<std::string>& files, bool standalone,
                 Streams io) {
    std::vector<NamedText> extra;
    for (const auto& f : files) {
        if (f == "-") {
            std::ostringstream text;
            text << io.in.rdbuf();
            extra.push_back({install_name(f), {std::string(kStdinPath), std::move(text).str()}});
            continue;
        }
        auto text = read_file(f);
        if (!text) {
            io.err << fmt::format("{}: cannot read: {}\n", f, std::strerror(text.error().code));
            return kExitFailure;
        }
        extra.push_back({install_name(f), {f, std::move(*text)}});
    }

    std::vector<config::ConfigText> texts;
    if (standalone) {
        for (auto& e : extra)
            texts.push_back(std::move(e.text));
    } else {
        auto found = config::discover(config::Layout{opts.root});
        if (!found) {
            io.err << found.error().message << '\n';
            return kExitFailure;
        }
        std::vector<NamedText> installed;
        for (const auto& f : *found) {
            if (f.masked)
                continue;
            auto read = config::read_all({f});
            if (!read) {
                print(io.err, report_diagnostics(read.error()));
                return kExitFailure;
            }
            installed.push_back({f.name, std::move(read->front())});
        }
        auto set = validation_set(std::move(installed), extra);
        if (!set) {
            io.err << set.error().message << '\n';
            return kExitUsage;
        }
        texts = std::move(*set);
    }

    auto cfg = config::parse(texts);
    if (!opts.json.empty()) {
        nlohmann::json j{{"valid", cfg.ok()},
                         {"files", nlohmann::json::array()},
                         {"errors", nlohmann::json::array()}};
        for (const auto& t : texts)
            j["files"].push_back(t.path);
        if (!cfg)
            for (const auto& d : cfg.error())
                j["errors"].push_back(d.str());
        io.out << dump_json(j, opts.json);
    } else if (!cfg) {
        print(io.err, report_diagnostics(cfg.error()));
    }
    return cfg ? kExitOk : kExitFailure;
}

int run_cat_config(const LocalOptions& opts, Streams io) {
    auto found = config::discover(config::Layout{opts.root});
    if (!found) {
        io.err << found.error().message << '\n';
        return kExitFailure;
    }
    std::vector<CatFile> files;
    int rc = kExitOk;
    for (const auto& f : *found) {
        CatFile c{f, {}, {}, {}};
        if (f.masked) {
            struct stat st {};
            bool link = ::lstat(f.path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
            c.mask_reason = link ? "symlink to /dev/null" : "empty file";
        } else if (auto text = read_file(f.path)) {
            c.text = std::move(*text);
        } else {
            c.read_error = std::strerror(text.error().code);
            rc = kExitFailure;
        }
        files.push_back(std::move(c));
    }
    if (!opts.json.empty()) {
        io.out << dump_json(cat_config_json(files), opts.json);
    } else {
        if (files.empty()) {
            auto dirs = config::Layout{opts.root}.dirs();
            io.err << fmt::format("No configuration files in {}.\n", fmt::join(dirs, ", "));
        }
        io.out << render_cat_config(files);
    }
    return rc;
}

int run_show_config(const LocalOptions& opts, Streams io) {
    // What the daemon would apply: the files that stand; the ones left out are named on stderr.
    auto loaded = config::load(config::Layout{opts.root});
    if (!loaded.clean())
        print(io.err, report_diagnostics(loaded.diagnostics()));
    if (!loaded.config)
        return kExitFailure;
    io.out << dump_json(config::to_json(*loaded.config), opts.json.empty() ? "pretty" : opts.json);
    return kExitOk;
}

}  // namespace perouter::cli
