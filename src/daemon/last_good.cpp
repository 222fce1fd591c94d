#include "daemon/last_good.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/process.hpp"

namespace perouter::daemon {

Status LastGood::save(const std::vector<config::ConfigText>& texts) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& t : texts)
        files.push_back({{"path", t.path}, {"main", t.main}, {"text", t.text}});
    std::string doc = nlohmann::json{{"version", 1}, {"files", files}}.dump(1) + "\n";
    if (doc == saved_)
        return {};
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    if (ec)
        return fail(fmt::format("create {}: {}",
                                std::filesystem::path(path_).parent_path().string(), ec.message()));
    PEROUTER_TRY(write_file_atomic(path_, doc, 0600));
    saved_ = std::move(doc);
    return {};
}

Result<std::vector<config::ConfigText>> LastGood::load() const {
    auto text = read_file(path_);
    if (!text)
        return fail(std::move(text).error());
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_array())
        return fail(fmt::format("{}: not a saved configuration", path_));
    std::vector<config::ConfigText> out;
    for (const auto& f : j["files"]) {
        if (!f.is_object() || !f.contains("path") || !f["path"].is_string() ||
            !f.contains("text") || !f["text"].is_string())
            return fail(fmt::format("{}: not a saved configuration", path_));
        out.push_back(
            {f["path"].get<std::string>(), f["text"].get<std::string>(), f.value("main", false)});
    }
    return out;
}

}  // namespace perouter::daemon
