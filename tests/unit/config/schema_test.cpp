// Keeps schema/perouter.schema.json and the parser honest with each other:
// 1. the property paths of the schema equal the parser's key tables (keys.hpp);
// 2. documents generated from the schema (every property, values from its examples / enums /
//    minimums, one document per `oneOf` alternative) convert without a single diagnostic, so
//    the schema's types and ranges are ones the parser accepts;
// 3. in those documents every written key left a position in the model, so every key the
//    parser declares is actually read by a converter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "config/convert.hpp"
#include "config/keys.hpp"

namespace perouter::config {
namespace {

using nlohmann::json;

json load_schema() {
    std::ifstream in(PEROUTER_SCHEMA_FILE);
    EXPECT_TRUE(in) << "cannot open " << PEROUTER_SCHEMA_FILE;
    return json::parse(in);
}

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

class SchemaWalker {
  public:
    explicit SchemaWalker(json schema) : root_(std::move(schema)) {}

    /// Follows local "$ref"s ("#/$defs/x").
    const json& resolve(const json& s) const {
        if (!s.contains("$ref"))
            return s;
        std::string ref = s["$ref"];
        const std::string prefix = "#/$defs/";
        EXPECT_EQ(ref.rfind(prefix, 0), 0u) << "unsupported $ref " << ref;
        return resolve(root_["$defs"][ref.substr(prefix.size())]);
    }

    static bool is_type(const json& s, const std::string& type) {
        if (!s.contains("type"))
            return false;
        if (s["type"].is_string())
            return s["type"] == type;
        for (const auto& t : s["type"])
            if (t == type)
                return true;
        return false;
    }

    /// Every property path ("underlay.neighbors[].bfd.minimum_ttl") and every object path.
    void collect(const json& s, const std::string& path, std::set<std::string>& props,
                 std::set<std::string>& objects) const {
        const json& obj = resolve(s);
        objects.insert(path);
        EXPECT_EQ(obj.value("additionalProperties", true), false)
            << "schema object '" << path << "' must set additionalProperties = false";
        for (const auto& [key, prop] : obj["properties"].items()) {
            std::string full = join(path, key);
            props.insert(full);
            const json& r = resolve(prop);
            if (is_type(r, "object"))
                collect(r, full, props, objects);
            if (is_type(r, "array") && is_type(resolve(r["items"]), "object"))
                collect(r["items"], full + "[]", props, objects);
        }
    }

    /// A document with every property of `s`. In objects with a `oneOf` of required-key
    /// alternatives, `variant` picks the alternative; the keys only other alternatives require
    /// are left out, as are keys whose dependentRequired keys are absent.
    toml::table generate(const json& s, const std::string& path, size_t variant,
                         std::set<std::pair<std::string, std::string>>& written) const {
        const json& obj = resolve(s);
        std::set<std::string> excluded;
        // The object's own oneOf and those of its allOf entries, each an independent choice.
        std::vector<const json*> choices;
        if (obj.contains("oneOf"))
            choices.push_back(&obj["oneOf"]);
        if (obj.contains("allOf"))
            for (const auto& part : obj["allOf"])
                if (part.contains("oneOf"))
                    choices.push_back(&part["oneOf"]);
        for (const json* alts : choices) {
            for (size_t i = 0; i < alts->size(); ++i) {
                if (i == variant % alts->size())
                    continue;
                for (const auto& k : (*alts)[i]["required"])
                    excluded.insert(k.get<std::string>());
            }
        }
        if (obj.contains("dependentRequired")) {
            for (const auto& [key, deps] : obj["dependentRequired"].items())
                for (const auto& d : deps)
                    if (excluded.count(d.get<std::string>()))
                        excluded.insert(key);
        }
        // dependentSchemas {"a": {"not": {"required": ["b"]}}}: with a present, b is left out.
        if (obj.contains("dependentSchemas")) {
            for (const auto& [key, dep] : obj["dependentSchemas"].items()) {
                if (excluded.count(key) || !dep.contains("not"))
                    continue;
                for (const auto& k : dep["not"].value("required", json::array()))
                    excluded.insert(k.get<std::string>());
            }
        }
        toml::table t;
        for (const auto& [key, prop] : obj["properties"].items()) {
            if (excluded.count(key))
                continue;
            std::string full = join(path, key);
            const json& r = resolve(prop);
            if (is_type(r, "object")) {
                t.insert(key, generate(prop, full, variant, written));
            } else if (is_type(r, "array")) {
                toml::array arr;
                const json& items = resolve(r["items"]);
                if (is_type(items, "object")) {
                    arr.push_back(generate(r["items"], full + "[]", variant, written));
                } else {
                    append(arr, value_of(r["items"], variant));
                }
                t.insert(key, std::move(arr));
            } else {
                insert_scalar(t, key, prop, variant);
            }
            written.insert({path, key});
        }
        return t;
    }

  private:
    /// The value of a leaf: an example, else the first enum value, the default, the minimum.
    json value_of(const json& prop, size_t variant) const {
        const json& r = resolve(prop);
        // A "type" next to a "$ref" wins over the referenced schema's.
        const json& typed = prop.contains("type") ? prop : r;
        if (!typed.contains("type")) {
            ADD_FAILURE() << "schema leaf without a type: " << prop.dump();
            return "x";
        }
        const json& t = typed["type"];
        std::string type =
            t.is_string() ? t.get<std::string>() : t[variant % t.size()].get<std::string>();
        auto matches = [&](const json& v) {
            return (type == "integer" && v.is_number_integer()) ||
                   (type == "string" && v.is_string()) || (type == "boolean" && v.is_boolean());
        };
        for (const json* src : {&prop, &r}) {
            if (src->contains("examples") && matches((*src)["examples"][0]))
                return (*src)["examples"][0];
            if (src->contains("enum") && matches((*src)["enum"][0]))
                return (*src)["enum"][0];
            if (src->contains("default") && matches((*src)["default"]))
                return (*src)["default"];
            if (src->contains("minimum") && type == "integer")
                return (*src)["minimum"];
        }
        if (type == "boolean")
            return true;
        ADD_FAILURE() << "no value for schema leaf " << prop.dump();
        return "x";
    }

    static void append(toml::array& arr, const json& v) {
        if (v.is_boolean())
            arr.push_back(v.get<bool>());
        else if (v.is_number_integer())
            arr.push_back(v.get<int64_t>());
        else
            arr.push_back(v.get<std::string>());
    }

    void insert_scalar(toml::table& t, const std::string& key, const json& prop,
                       size_t variant) const {
        json v = value_of(prop, variant);
        if (v.is_boolean())
            t.insert(key, v.get<bool>());
        else if (v.is_number_integer())
            t.insert(key, v.get<int64_t>());
        else
            t.insert(key, v.get<std::string>());
    }

    json root_;
};

std::set<std::string> parser_paths(std::set<std::string>* objects = nullptr) {
    std::set<std::string> out;
    for (const KeyTable* kt : key_tables()) {
        if (objects)
            objects->insert(std::string(kt->path));
        for (auto key : kt->keys)
            out.insert(join(std::string(kt->path), std::string(key)));
    }
    return out;
}

TEST(Schema, PropertiesEqualTheParserKeyTables) {
    SchemaWalker w(load_schema());
    std::set<std::string> schema_props, schema_objects;
    w.collect(load_schema(), "", schema_props, schema_objects);
    std::set<std::string> parser_objects;
    std::set<std::string> parser_props = parser_paths(&parser_objects);

    std::vector<std::string> only_schema, only_parser;
    std::set_difference(schema_props.begin(), schema_props.end(), parser_props.begin(),
                        parser_props.end(), std::back_inserter(only_schema));
    std::set_difference(parser_props.begin(), parser_props.end(), schema_props.begin(),
                        schema_props.end(), std::back_inserter(only_parser));
    EXPECT_THAT(only_schema, ::testing::IsEmpty()) << "in the schema but not in keys.cpp";
    EXPECT_THAT(only_parser, ::testing::IsEmpty()) << "in keys.cpp but not in the schema";
    EXPECT_EQ(schema_objects, parser_objects);
}

/// (table path, Positions, key prefix) for every table of a converted Config.
std::multimap<std::string, std::pair<const Positions*, std::string>> positions_of(const Config& c) {
    std::multimap<std::string, std::pair<const Positions*, std::string>> m;
    auto add = [&](const std::string& path, const Positions& p, const std::string& prefix = "") {
        m.emplace(path, std::make_pair(&p, prefix));
    };
    add("node", c.node.pos);
    if (c.underlay) {
        add("underlay", c.underlay->pos);
        for (const auto& n : c.underlay->neighbors) {
            add("underlay.neighbors[]", n.pos);
            if (n.bfd)
                add("underlay.neighbors[].bfd", n.bfd->pos);
        }
        if (c.underlay->graceful_restart)
            add("underlay.graceful_restart", c.underlay->graceful_restart->pos);
        if (c.underlay->route_reflector)
            add("underlay.route_reflector", c.underlay->route_reflector->pos);
        if (c.underlay->macvlan)
            add("underlay.macvlan", c.underlay->macvlan->pos);
        if (c.underlay->srv6)
            add("underlay.srv6", c.underlay->srv6->pos);
    }
    for (const auto& v : c.l3vnis) {
        add("l3vni[]", v.pos);
        if (v.host_session) {
            add("l3vni[].host_session", v.host_session->pos);
            add("l3vni[].host_session.local_cidr", v.host_session->pos, "local_cidr.");
        }
    }
    for (const auto& v : c.l3vpns) {
        add("l3vpn[]", v.pos);
        if (v.host_session) {
            add("l3vpn[].host_session", v.host_session->pos);
            add("l3vpn[].host_session.local_cidr", v.host_session->pos, "local_cidr.");
        }
    }
    for (const auto& v : c.l2vnis) {
        add("l2vni[]", v.pos);
        if (v.host_master)
            add("l2vni[].host_master", v.pos, "host_master.");
    }
    if (c.passthrough) {
        add("passthrough", c.passthrough->pos);
        add("passthrough.host_session", c.passthrough->host_session.pos);
        add("passthrough.host_session.local_cidr", c.passthrough->host_session.pos, "local_cidr.");
    }
    if (c.online)
        add("online", c.online->pos);
    for (const auto& r : c.raw_frr)
        add("raw_frr[]", r.pos);
    return m;
}

TEST(Schema, GeneratedDocumentsConvertCleanlyAndEveryKeyIsRead) {
    const json schema = load_schema();
    SchemaWalker w(schema);
    std::set<std::string> covered;
    for (size_t variant = 0; variant < 3; ++variant) {
        SCOPED_TRACE("variant " + std::to_string(variant));
        std::set<std::pair<std::string, std::string>> written;
        toml::table doc = w.generate(schema, "", variant, written);
        std::ostringstream text;
        text << doc;
        SCOPED_TRACE("generated document:\n" + text.str());

        // Re-parse the text so that every node has a source position, as in a real load.
        toml::table parsed = toml::parse(text.str(), std::string_view("generated.toml"));
        Diagnostics diags;
        Config c = convert(parsed, diags);
        for (const auto& d : diags)
            ADD_FAILURE() << d.str();
        // convert() alone: the generated document has every table, also [[l3vpn]] next to
        // [[l3vni]], which validation rejects on one node.

        auto positions = positions_of(c);
        for (const auto& [path, key] : written) {
            covered.insert(join(path, key));
            if (path.empty())
                continue;  // top-level keys are the sections checked below
            auto [lo, hi] = positions.equal_range(path);
            EXPECT_NE(lo, hi) << "no model object for table '" << path << "'";
            for (auto it = lo; it != hi; ++it) {
                const auto& [pos, prefix] = it->second;
                EXPECT_TRUE(pos->has(prefix + key))
                    << "key '" << key << "' of '" << path << "' was not read by the converter";
            }
        }
        EXPECT_TRUE(c.underlay);
        EXPECT_FALSE(c.l3vnis.empty());
        EXPECT_FALSE(c.l2vnis.empty());
        EXPECT_TRUE(c.passthrough);
        EXPECT_TRUE(c.node.pos.has("index") || c.node.pos.has("index_from_interface"));
    }
    EXPECT_EQ(covered, parser_paths()) << "the generated documents missed some keys";
}

}  // namespace
}  // namespace perouter::config
