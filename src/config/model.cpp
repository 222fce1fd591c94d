#include "config/model.hpp"

#include <algorithm>
#include <mutex>
#include <set>

namespace perouter::config {

namespace {

// The one copy of each key name. The keys come from the key tables (config/keys.cpp), some with
// a prefix ("local_cidr.ipv4"), so the set stays as small as those tables.
std::string_view intern(std::string_view key) {
    static std::mutex mutex;
    static std::set<std::string, std::less<>> names;
    std::lock_guard lock(mutex);
    auto it = names.find(key);
    if (it == names.end())
        it = names.emplace(key).first;
    return *it;
}

}  // namespace

std::vector<Positions::Field>::const_iterator Positions::lower_bound(std::string_view key) const {
    return std::lower_bound(fields_.begin(), fields_.end(), key,
                            [](const Field& f, std::string_view k) { return f.key < k; });
}

const SourcePos* Positions::find(std::string_view key) const {
    auto it = lower_bound(key);
    return it != fields_.end() && it->key == key ? &it->pos : nullptr;
}

const SourcePos& Positions::of(std::string_view key) const {
    if (const SourcePos* p = find(key))
        return *p;
    static const SourcePos unknown{};
    const SourcePos* self = find("");
    return self ? *self : unknown;
}

void Positions::set(std::string_view key, SourcePos p) {
    auto it = lower_bound(key);
    if (it != fields_.end() && it->key == key) {
        fields_[static_cast<size_t>(it - fields_.begin())].pos = std::move(p);
        return;
    }
    fields_.insert(it, Field{intern(key), std::move(p)});
}

}  // namespace perouter::config
