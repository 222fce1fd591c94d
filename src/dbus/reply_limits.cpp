#include "dbus/reply_limits.hpp"

#include <fmt/format.h>

#include "config/limits.hpp"

namespace perouter::dbus {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxMessageLines = config::kMaxDiagnostics + 2;

/// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
size_t utf8_sequence(std::string_view s) {
    auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    unsigned char c = b(0);
    if (c < 0x80)
        return c == 0 ? 0 : 1;  // NUL is not allowed in a D-Bus string
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2))
            return 0;
        if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
            return 0;  // overlong, or a UTF-16 surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3))
            return 0;
        if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))
            return 0;  // overlong, or above U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

std::optional<std::string> oversized_argument(std::string_view name, size_t bytes) {
    if (bytes <= config::kMaxTextBytes)
        return std::nullopt;
    return fmt::format("argument '{}' is {} bytes, more than the {} allowed", name, bytes,
                       config::kMaxTextBytes);
}

std::string bounded_line(std::string_view text) {
    // Where to cut: leaves room for the marker, so a cut line stays within the bound too.
    constexpr size_t kKeep = kMaxReplyLineBytes - 64;
    std::string out;
    size_t cut_out = std::string::npos;  // out's size at the first code point past kKeep
    size_t cut_in = 0;                   // and where that code point starts in `text`
    size_t i = 0;
    while (i < text.size()) {
        size_t n = utf8_sequence(text.substr(i));
        size_t add = n == 0 ? kReplacement.size() : n;
        if (cut_out == std::string::npos && out.size() + add > kKeep) {
            cut_out = out.size();
            cut_in = i;
        }
        if (out.size() + add > kMaxReplyLineBytes) {
            out.resize(cut_out);
            out += fmt::format("... ({} more bytes)", text.size() - cut_in);
            return out;
        }
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::vector<std::string> bounded_diagnostics(const Diagnostics& diagnostics) {
    constexpr size_t kKeep = config::kMaxDiagnostics + 1;
    std::vector<std::string> out;
    for (size_t i = 0; i < diagnostics.size() && i < kKeep; ++i)
        out.push_back(bounded_line(diagnostics[i].str()));
    if (diagnostics.size() > kKeep)
        out.push_back(fmt::format("... and {} more errors", diagnostics.size() - kKeep));
    return out;
}

std::string bounded_message(std::string_view text) {
    std::string out;
    size_t lines = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        if (lines == kMaxMessageLines) {
            size_t rest = 0;
            for (size_t j = start; j < text.size(); ++j)
                rest += text[j] == '\n';
            out += fmt::format("\n... and {} more lines", rest + 1);
            break;
        }
        if (lines > 0)
            out += '\n';
        out += bounded_line(text.substr(start, end - start));
        ++lines;
        start = end + 1;
    }
    return out;
}

}  // namespace perouter::dbus
