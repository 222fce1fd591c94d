// Helpers shared by the config tests: a valid base document and diagnostics as strings.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.hpp"
#include "support/scratch_dir.hpp"

namespace perouter::config::test {

/// A minimal valid configuration with an underlay and a tunnel endpoint ("a.toml").
inline const char* kBase = perouter::test::kMinimalConfig;

inline std::vector<std::string> strs(const Diagnostics& diags) {
    std::vector<std::string> out;
    for (const auto& d : diags)
        out.push_back(d.str());
    return out;
}

/// The diagnostics of a load expected to fail; an unexpected success fails the test.
inline std::vector<std::string> errors(const std::vector<ConfigText>& texts) {
    auto r = parse(texts);
    EXPECT_FALSE(r.ok()) << "expected the load to fail";
    if (r.ok())
        return {};
    return strs(r.error());
}

/// Errors of kBase ("a.toml") followed by `extra` ("b.toml").
inline std::vector<std::string> errors_with_base(const std::string& extra) {
    return errors({{"a.toml", kBase}, {"b.toml", extra}});
}

/// Errors of one document ("c.toml") on its own.
inline std::vector<std::string> errors_alone(const std::string& text) {
    return errors({{"c.toml", text}});
}

/// A load expected to succeed; failures print every diagnostic.
inline Config ok(const std::vector<ConfigText>& texts) {
    auto r = parse(texts);
    if (!r.ok()) {
        std::string all;
        for (const auto& s : strs(r.error()))
            all += s + "\n";
        ADD_FAILURE() << "unexpected errors:\n" << all;
        return {};
    }
    return std::move(r).value();
}

inline Config ok_with_base(const std::string& extra) {
    return ok({{"a.toml", kBase}, {"b.toml", extra}});
}

}  // namespace perouter::config::test
