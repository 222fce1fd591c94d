// A line diff for test failure messages: the lines only in `want` prefixed "-", only in `got`
// prefixed "+", common lines " " (longest common subsequence; the texts are small).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace perouter::frr::testing {

inline std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        out.push_back(text.substr(0, eol));
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    }
    return out;
}

inline std::string line_diff(std::string_view want, std::string_view got) {
    const auto a = split_lines(want);
    const auto b = split_lines(got);
    std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (size_t i = a.size(); i-- > 0;) {
        for (size_t j = b.size(); j-- > 0;) {
            lcs[i][j] =
                a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    std::string out;
    size_t i = 0;
    size_t j = 0;
    const auto emit = [&](char mark, std::string_view line) {
        out.push_back(mark);
        out.append(line);
        out.push_back('\n');
    };
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            emit(' ', a[i++]);
            ++j;
        } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
            emit('+', b[j++]);
        } else {
            emit('-', a[i++]);
        }
    }
    return out;
}

}  // namespace perouter::frr::testing
