#include "cli/cat_config.hpp"

#include <fmt/format.h>

namespace perouter::cli {

std::string render_cat_config(const std::vector<CatFile>& files) {
    std::string out;
    bool first = true;
    for (const auto& f : files) {
        if (!first)
            out += '\n';
        first = false;
        out += fmt::format("# {}\n", f.file.path);
        for (const auto& o : f.file.overridden)
            out += fmt::format("# overrides {}\n", o);
        if (f.file.masked) {
            out += f.mask_reason.empty() ? "# masked\n"
                                         : fmt::format("# masked ({})\n", f.mask_reason);
            continue;
        }
        if (f.read_error) {
            out += fmt::format("# cannot read: {}\n", *f.read_error);
            continue;
        }
        out += f.text;
        if (!f.text.empty() && f.text.back() != '\n')
            out += '\n';
    }
    return out;
}

nlohmann::json cat_config_json(const std::vector<CatFile>& files) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& f : files) {
        nlohmann::json j{{"name", f.file.name},
                         {"path", f.file.path},
                         {"overrides", f.file.overridden},
                         {"masked", f.file.masked}};
        if (f.file.masked)
            j["mask_reason"] = f.mask_reason;
        else if (f.read_error)
            j["error"] = *f.read_error;
        else
            j["text"] = f.text;
        a.push_back(std::move(j));
    }
    return a;
}

}  // namespace perouter::cli
