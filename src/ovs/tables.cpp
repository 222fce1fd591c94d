#include "ovs/tables.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

namespace perouter::ovs {

namespace {

using nlohmann::json;

// One table as ovs-vsctl prints it: {"headings": [column...], "data": [[value...]...]}.
struct Table {
    std::map<std::string, size_t> column;
    std::vector<json> rows;

    const json* get(const json& row, const std::string& name) const {
        auto it = column.find(name);
        if (it == column.end() || it->second >= row.size())
            return nullptr;
        return &row[it->second];
    }
};

Result<Table> read_table(const json& j, std::string_view what) {
    if (!j.is_object() || !j.contains("headings") || !j.contains("data") ||
        !j["headings"].is_array() || !j["data"].is_array())
        return fail(fmt::format("ovs-vsctl: unexpected output for the {} table", what));
    Table t;
    for (size_t i = 0; i < j["headings"].size(); ++i)
        if (j["headings"][i].is_string())
            t.column[j["headings"][i].get<std::string>()] = i;
    for (const auto& row : j["data"])
        if (row.is_array())
            t.rows.push_back(row);
    return t;
}

// OVSDB's JSON data: an atom is a string, number, boolean or ["uuid", U]; a set is
// ["set", [atoms]] or a single atom; a map is ["map", [[key, value]...]].
std::string uuid_of(const json* v) {
    if (v && v->is_array() && v->size() == 2 && (*v)[0] == "uuid" && (*v)[1].is_string())
        return (*v)[1].get<std::string>();
    return "";
}

std::vector<const json*> set_of(const json* v) {
    std::vector<const json*> out;
    if (!v)
        return out;
    if (v->is_array() && v->size() == 2 && (*v)[0] == "set" && (*v)[1].is_array()) {
        for (const auto& a : (*v)[1])
            out.push_back(&a);
        return out;
    }
    out.push_back(v);
    return out;
}

std::string string_of(const json* v) {
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::string map_value(const json* v, std::string_view key) {
    if (!v || !v->is_array() || v->size() != 2 || (*v)[0] != "map" || !(*v)[1].is_array())
        return "";
    for (const auto& kv : (*v)[1])
        if (kv.is_array() && kv.size() == 2 && kv[0] == key && kv[1].is_string())
            return kv[1].get<std::string>();
    return "";
}

}  // namespace

std::vector<std::string> observe_commands() {
    return {"--format=json",
            "--",
            "--columns=name,datapath_type,external_ids,ports",
            "list",
            "Bridge",
            "--",
            "--columns=_uuid,name,external_ids,interfaces",
            "list",
            "Port",
            "--",
            "--columns=_uuid,error",
            "list",
            "Interface"};
}

Result<reconcile::OvsObserved> parse_tables(std::string_view output) {
    std::vector<json> docs;
    size_t start = 0;
    while (start < output.size()) {
        size_t end = output.find('\n', start);
        if (end == std::string_view::npos)
            end = output.size();
        std::string_view line = output.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded())
            return fail(std::string("ovs-vsctl: output is not JSON"));
        docs.push_back(std::move(j));
    }
    if (docs.size() != 3)
        return fail(fmt::format("ovs-vsctl: expected 3 tables, got {}", docs.size()));
    auto bridges = read_table(docs[0], "Bridge");
    auto ports = read_table(docs[1], "Port");
    auto ifaces = read_table(docs[2], "Interface");
    for (const auto* t : {&bridges, &ports, &ifaces})
        if (!*t)
            return fail(t->error());

    std::map<std::string, std::string> iface_error;  // uuid -> error ("" = none)
    for (const auto& row : ifaces->rows) {
        const auto errs = set_of(ifaces->get(row, "error"));
        iface_error[uuid_of(ifaces->get(row, "_uuid"))] =
            errs.empty() ? std::string() : string_of(errs.front());
    }
    std::map<std::string, reconcile::OvsObservedPort> port_by_uuid;
    for (const auto& row : ports->rows) {
        reconcile::OvsObservedPort p;
        p.name = string_of(ports->get(row, "name"));
        p.created_by = map_value(ports->get(row, "external_ids"), plan::kOvsCreatedByKey);
        for (const json* i : set_of(ports->get(row, "interfaces"))) {
            auto it = iface_error.find(uuid_of(i));
            if (it != iface_error.end() && !it->second.empty())
                p.errors.push_back(it->second);
        }
        port_by_uuid[uuid_of(ports->get(row, "_uuid"))] = std::move(p);
    }
    reconcile::OvsObserved out;
    for (const auto& row : bridges->rows) {
        reconcile::OvsObservedBridge b;
        b.name = string_of(bridges->get(row, "name"));
        std::string dp = string_of(bridges->get(row, "datapath_type"));
        if (dp.empty() || dp == plan::to_string(plan::OvsDatapath::System))
            b.datapath = plan::OvsDatapath::System;
        else if (dp == plan::to_string(plan::OvsDatapath::Netdev))
            b.datapath = plan::OvsDatapath::Netdev;
        b.created_by = map_value(bridges->get(row, "external_ids"), plan::kOvsCreatedByKey);
        for (const json* p : set_of(bridges->get(row, "ports"))) {
            auto it = port_by_uuid.find(uuid_of(p));
            if (it != port_by_uuid.end())
                b.ports.push_back(it->second);
        }
        out.bridges.push_back(std::move(b));
    }
    return out;
}

}  // namespace perouter::ovs
