#include "config/model.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace perouter::config {

namespace {

// Key names, interned: a number per name, held once per process. Names are few (the keys of
// the key tables, and "key[N]" of array elements up to the limits of config/limits.hpp).
class KeyNames {
  public:
    uint32_t id(std::string_view name) {
        std::lock_guard lock(mutex_);
        auto it = ids_.find(name);
        if (it != ids_.end())
            return it->second;
        const auto id = static_cast<uint32_t>(names_.size());
        names_.emplace_back(name);
        ids_.emplace(names_.back(), id);
        return id;
    }
    /// The id of `name` when it was interned.
    std::optional<uint32_t> find(std::string_view name) {
        std::lock_guard lock(mutex_);
        auto it = ids_.find(name);
        return it == ids_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
    }

  private:
    std::mutex mutex_;
    std::deque<std::string> names_;
    std::map<std::string_view, uint32_t, std::less<>> ids_;
};

KeyNames& key_names() {
    static KeyNames names;
    return names;
}

}  // namespace

std::vector<Positions::Field>::const_iterator Positions::lower_bound(uint32_t key) const {
    return std::lower_bound(fields_.begin(), fields_.end(), key,
                            [](const Field& f, uint32_t k) { return f.key < k; });
}

SourcePos Positions::at(const Field& f) const {
    return SourcePos{files_[f.file], f.line, f.column};
}

std::optional<SourcePos> Positions::find(std::string_view key) const {
    auto id = key_names().find(key);
    if (!id)
        return std::nullopt;  // never interned: no table has it
    auto it = lower_bound(*id);
    if (it != fields_.end() && it->key == *id)
        return at(*it);
    return std::nullopt;
}

bool Positions::has(std::string_view key) const {
    return find(key).has_value();
}

SourcePos Positions::of(std::string_view key) const {
    if (auto p = find(key))
        return *std::move(p);
    if (auto self = find(""))
        return *std::move(self);
    return SourcePos{};
}

void Positions::set(std::string_view key, const SourcePos& p) {
    auto file = std::find(files_.begin(), files_.end(), p.file);
    if (file == files_.end())
        file = files_.insert(files_.end(), p.file);
    const Field f{key_names().id(key), p.line, p.column,
                  static_cast<uint32_t>(file - files_.begin())};
    auto it = lower_bound(f.key);
    if (it != fields_.end() && it->key == f.key)
        fields_[static_cast<size_t>(it - fields_.begin())] = f;
    else
        fields_.insert(it, f);
}

bool operator==(const Positions& a, const Positions& b) {
    if (a.fields_.size() != b.fields_.size())
        return false;
    for (size_t i = 0; i < a.fields_.size(); ++i)
        if (a.fields_[i].key != b.fields_[i].key || a.at(a.fields_[i]) != b.at(b.fields_[i]))
            return false;
    return true;
}

}  // namespace perouter::config
