#include "importer/importer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "config/limits.hpp"
#include "importer/documents.hpp"
#include "importer/emit.hpp"

namespace perouter::importer {

Result<Imported, Diagnostics> import_files(const std::vector<YamlText>& files) {
    Diagnostics errors;
    Diagnostics notes;
    Pieces pieces;
    std::vector<std::string> names;
    for (const YamlText& f : files) {
        names.push_back(f.path);
        Sink sink(f.path, errors, notes);
        if (f.text.size() > config::kMaxTextBytes) {
            sink.error(SourcePos{f.path, 0, 0},
                       fmt::format("larger than {} bytes", config::kMaxTextBytes));
            continue;
        }
        std::vector<YAML::Node> docs;
        try {
            docs = YAML::LoadAll(f.text);
        } catch (const YAML::Exception& e) {
            sink.error(sink.at(e.mark), fmt::format("YAML: {}", e.msg));
            continue;
        }
        size_t before = errors.size();
        for (const YAML::Node& doc : docs)
            read_document(doc, sink, pieces);
        // In the order of the file, whatever order the converters looked at the fields in.
        std::stable_sort(errors.begin() + static_cast<std::ptrdiff_t>(before), errors.end(),
                         [](const Diagnostic& a, const Diagnostic& b) {
                             return std::tie(a.pos.line, a.pos.column) <
                                    std::tie(b.pos.line, b.pos.column);
                         });
    }
    if (!errors.empty()) {
        config::cap_diagnostics(errors);
        return fail(std::move(errors));
    }
    Imported out;
    out.toml = emit_toml(pieces, names, notes);
    out.notes = std::move(notes);
    out.secret = pieces.secret;
    return out;
}

}  // namespace perouter::importer
