#include "importer/documents.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "importer/convert.hpp"

namespace perouter::importer {
namespace {

/// The API groups upstream's resources have had: the current one and the one before it.
constexpr std::array<std::string_view, 2> kApiVersions = {
    "network.openperouter.io/v1alpha1",
    "openpe.openperouter.github.io/v1alpha1",
};

/// The kinds that have an equivalent.
constexpr std::array<std::string_view, 5> kKinds = {"Underlay", "L3VNI", "L2VNI", "L3Passthrough",
                                                    "RawFRRConfig"};

bool has_key(const YAML::Node& map, std::string_view key) {
    for (const auto& kv : map)
        if (kv.first.IsScalar() && kv.first.Scalar() == key)
            return true;
    return false;
}

// --- Merging, as upstream's static loader does: lists concatenate, singletons stay single ---

void add_single(std::optional<Piece>& slot, Piece piece, std::string_view what, Sink& sink) {
    if (slot) {
        sink.error(piece.from,
                   fmt::format("more than one {} (also at {}): a node has one, as upstream allows",
                               what, slot->from.str()));
        return;
    }
    slot = std::move(piece);
}

const Piece* find_vpn(const Pieces& all, std::string_view name) {
    for (const auto* list : {&all.l3vnis, &all.l2vnis})
        for (const Piece& p : *list)
            if (auto n = p.table["name"].value<std::string>(); n && *n == name)
                return &p;
    return nullptr;
}

void add_vpn(std::vector<Piece>& list, Piece piece, Pieces& all, Sink& sink) {
    auto name = piece.table["name"].value<std::string>();
    if (const Piece* before = find_vpn(all, *name)) {
        sink.error(piece.from, fmt::format("duplicate L3VNI/L2VNI name \"{}\" (also at {})", *name,
                                           before->from.str()));
        return;
    }
    list.push_back(std::move(piece));
}

// --- nodeSelector: a static file applies to its node; a resource may select other nodes ---

void static_selector(Fields& spec) {
    if (spec.has("nodeSelector"))
        spec.sink().note(spec.key_pos("nodeSelector"),
                         "nodeSelector not imported: a static file configures its own node "
                         "(upstream ignores it there too)");
    spec.skip("nodeSelector");
}

void resource_selector(Fields& spec) {
    auto selector = spec.take("nodeSelector");
    if (!selector || (selector->IsMap() && selector->size() == 0))
        return;  // absent, or {}: every node
    spec.error("nodeSelector",
               "a node selector has no equivalent: a perouter configuration is one node's; "
               "import the resources that select this node, without their nodeSelector");
}

// --- Static router files (openpe_*.yaml) ---

void static_file(const YAML::Node& doc, Sink& sink, Pieces& out) {
    Fields top(doc, "static configuration", sink);
    if (auto items = top.sequence("underlays")) {
        for (size_t i = 0; i < items->size(); ++i) {
            std::string label = fmt::format("underlays[{}]", i);
            Fields spec((*items)[i], label, sink);
            static_selector(spec);
            Piece p{spec.pos(), label, convert_underlay(spec, out.secret)};
            add_single(out.underlay, std::move(p), "underlay", sink);
        }
    }
    for (std::string_view key : {"l3vnis", "l2vnis"}) {
        auto items = top.sequence(key);
        if (!items)
            continue;
        for (size_t i = 0; i < items->size(); ++i) {
            Fields spec((*items)[i], fmt::format("{}[{}]", key, i), sink);
            static_selector(spec);
            auto name = spec.string("name");
            if (!name && !spec.has("name"))
                spec.missing("name");
            std::string label = fmt::format("{}[{}] {}", key, i, name.value_or(""));
            bool l3 = key == "l3vnis";
            toml::table t = l3 ? convert_l3vni(spec, name.value_or(""))
                               : convert_l2vni(spec, name.value_or(""));
            if (name)
                add_vpn(l3 ? out.l3vnis : out.l2vnis, Piece{spec.pos(), label, std::move(t)}, out,
                        sink);
        }
    }
    top.refuse("l3vpns", fmt::format("an L3VPN is not imported: {}", kSrv6NotImported));
    if (auto node = top.take("bgppassthrough")) {
        // Upstream applies a passthrough only when its hostSession has an ASN; an empty
        // mapping is the same as none.
        if (!(node->IsMap() && node->size() == 0)) {
            Fields spec(*node, "bgppassthrough", sink);
            static_selector(spec);
            Piece p{spec.pos(), "bgppassthrough", convert_passthrough(spec)};
            add_single(out.passthrough, std::move(p), "passthrough", sink);
        }
    }
    if (auto items = top.sequence("rawfrrconfigs")) {
        for (size_t i = 0; i < items->size(); ++i) {
            std::string label = fmt::format("rawfrrconfigs[{}]", i);
            Fields spec((*items)[i], label, sink);
            static_selector(spec);
            const std::string name = fmt::format("rawfrrconfig-{}", out.raw_frr.size());
            out.raw_frr.push_back({spec.pos(), label, convert_raw_frr(spec, name)});
        }
    }
    top.finish();
}

// --- Kubernetes resources ---

void resource(const YAML::Node& doc, Sink& sink, Pieces& out);

/// A v1 List (what `kubectl get -o yaml` prints for several objects).
void resource_list(Fields& list, Sink& sink, Pieces& out) {
    list.skip("metadata");
    if (auto items = list.sequence("items"))
        for (const YAML::Node& item : *items)
            resource(item, sink, out);
    list.finish();
}

void resource(const YAML::Node& doc, Sink& sink, Pieces& out) {
    Fields res(doc, "resource", sink);
    auto api = res.string("apiVersion");
    auto kind = res.string("kind");
    if (!api || !kind) {
        if (!res.has("apiVersion"))
            res.missing("apiVersion");
        if (!res.has("kind"))
            res.missing("kind");
        return;
    }
    if (*api == "v1" && *kind == "List") {
        resource_list(res, sink, out);
        return;
    }
    if (std::find(kApiVersions.begin(), kApiVersions.end(), *api) == kApiVersions.end()) {
        res.error("apiVersion",
                  fmt::format("{} {} is not an Open PE Router resource (apiVersion {})", *kind,
                              *api, fmt::join(kApiVersions, " or ")));
        return;
    }

    const std::string k = *kind;
    if (k == "L3VPN") {
        res.error("kind", fmt::format("an L3VPN is not imported: {}", kSrv6NotImported));
        return;
    }
    if (std::find(kKinds.begin(), kKinds.end(), k) == kKinds.end()) {
        res.error("kind", fmt::format("\"{}\" is not a kind perouter imports ({})", k,
                                      fmt::join(kKinds, ", ")));
        return;
    }

    // Of the metadata only the name means something here: namespace, labels, annotations and
    // what the API server adds (uid, resourceVersion, ...) configure nothing; status neither.
    Fields md(res.take("metadata"), "metadata", sink);
    auto name = md.string("name");
    res.skip("status");
    std::string label = fmt::format("{} {}", k, name.value_or(""));
    Fields spec(res.take("spec"), fmt::format("{} spec", k), sink);
    resource_selector(spec);
    if (k == "Underlay") {
        add_single(out.underlay, {res.pos(), label, convert_underlay(spec, out.secret)}, "underlay",
                   sink);
    } else if (k == "L3VNI" || k == "L2VNI") {
        if (!name && !md.has("name"))
            sink.error(res.key_pos("metadata"),
                       fmt::format("{}: missing metadata.name (the VPN's name)", k));
        toml::table t = k == "L3VNI" ? convert_l3vni(spec, name.value_or(""))
                                     : convert_l2vni(spec, name.value_or(""));
        if (name)
            add_vpn(k == "L3VNI" ? out.l3vnis : out.l2vnis, {res.pos(), label, std::move(t)}, out,
                    sink);
    } else if (k == "L3Passthrough") {
        add_single(out.passthrough, {res.pos(), label, convert_passthrough(spec)}, "passthrough",
                   sink);
    } else {
        const std::string fallback = fmt::format("rawfrrconfig-{}", out.raw_frr.size());
        out.raw_frr.push_back({res.pos(), label, convert_raw_frr(spec, name.value_or(fallback))});
    }
    res.finish();
}

// --- node-config.yaml ---

void node_file(const YAML::Node& doc, Sink& sink, Pieces& out) {
    Fields f(doc, "node configuration", sink);
    Piece p{f.pos(), "node configuration", convert_node_config(f)};
    add_single(out.node, std::move(p), "node file", sink);
}

}  // namespace

void read_document(const YAML::Node& doc, Sink& sink, Pieces& out) {
    if (doc.IsNull())
        return;  // an empty document ("---" at the end)
    if (!doc.IsMap()) {
        sink.error(sink.at(doc),
                   "expected a mapping: a static configuration (underlays, l3vnis, ...), a node "
                   "configuration (nodeIndex) or a Kubernetes resource (apiVersion, kind)");
        return;
    }
    if (has_key(doc, "apiVersion") || has_key(doc, "kind"))
        resource(doc, sink, out);
    else if (has_key(doc, "nodeIndex") || has_key(doc, "nodeName") || has_key(doc, "logLevel"))
        node_file(doc, sink, out);
    else
        static_file(doc, sink, out);
}

}  // namespace perouter::importer
