// The one table of names for an enum whose values cross an edge as strings (D-Bus properties,
// JSON): to_string and parse are both looked up in it, so they cannot disagree.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

namespace perouter {

template <class E>
using EnumNames = std::pair<E, std::string_view>;

/// The name of `value` in `names`, "unknown" when it has none.
template <class E, std::size_t N>
constexpr std::string_view name_of(const EnumNames<E> (&names)[N], E value) {
    for (const auto& [v, name] : names)
        if (v == value)
            return name;
    return "unknown";
}

/// The value named `name`, `unknown` when no value has that name.
template <class E, std::size_t N>
constexpr E value_of(const EnumNames<E> (&names)[N], std::string_view name, E unknown) {
    for (const auto& [v, n] : names)
        if (n == name)
            return v;
    return unknown;
}

}  // namespace perouter
