#include "config/limits.hpp"

#include <fmt/format.h>

#include <vector>

namespace perouter::config {

namespace {

/// A one-pass reader of just enough TOML to measure nesting: table headers, keys, the
/// brackets of arrays and inline tables, strings of all four kinds and comments. It never
/// rejects syntax (toml++ reports that, with better words); on text that is not TOML it keeps
/// going one byte at a time. Every step consumes at least one byte, so it always ends.
class DepthScanner {
  public:
    DepthScanner(std::string_view text, std::string_view path) : text_(text), path_(path) {}

    std::optional<Diagnostic> run() {
        while (!at_end() && !error_) {
            switch (mode_) {
                case Mode::LineStart:
                    line_start();
                    break;
                case Mode::Key:
                    key();
                    break;
                case Mode::Value:
                    value();
                    break;
                case Mode::AfterValue:
                    after_value();
                    break;
            }
        }
        return std::move(error_);
    }

  private:
    enum class Mode { LineStart, Key, Value, AfterValue };
    /// An open array (`depth` = depth of its elements) or inline table (`depth` = depth of the
    /// table itself, the base of its keys).
    struct Frame {
        bool array;
        size_t depth;
    };

    bool at_end() const { return i_ >= text_.size(); }
    char peek(size_t k = 0) const { return i_ + k < text_.size() ? text_[i_ + k] : '\0'; }

    /// Moves past one byte. Columns count code points: a UTF-8 continuation byte does not
    /// start a new column.
    void advance() {
        const char c = text_[i_++];
        if (c == '\n') {
            ++line_;
            column_ = 1;
        } else if (at_end() || (static_cast<unsigned char>(text_[i_]) & 0xC0) != 0x80) {
            ++column_;
        }
    }

    void fail_here() {
        error_ = Diagnostic{
            SourcePos{std::string(path_), line_, column_},
            fmt::format("nested more than {} levels deep (keys and arrays)", kMaxNestingDepth)};
    }

    /// Counts one more level at the current byte; false (and the error set) past the limit.
    bool enter(size_t depth) {
        if (depth > kMaxNestingDepth) {
            fail_here();
            return false;
        }
        return true;
    }

    void skip_comment() {
        while (!at_end() && peek() != '\n')
            advance();
    }

    /// At a quote: skips a basic, literal, multi-line basic or multi-line literal string. An
    /// unterminated single-line string ends at the newline (toml++ reports it).
    void skip_string() {
        const char q = peek();
        const bool basic = q == '"';
        if (peek(1) == q && peek(2) == q) {
            advance();
            advance();
            advance();
            while (!at_end()) {
                if (basic && peek() == '\\') {
                    advance();
                    if (!at_end())
                        advance();
                } else if (peek() == q && peek(1) == q && peek(2) == q) {
                    advance();
                    advance();
                    advance();
                    // Up to two more quotes belong to the content: """a""""" ends after five.
                    for (int k = 0; k < 2 && peek() == q; ++k)
                        advance();
                    return;
                } else {
                    advance();
                }
            }
            return;
        }
        advance();
        while (!at_end() && peek() != '\n') {
            if (basic && peek() == '\\') {
                advance();
                if (!at_end() && peek() != '\n')
                    advance();
            } else if (peek() == q) {
                advance();
                return;
            } else {
                advance();
            }
        }
    }

    void start_key(size_t base) {
        mode_ = Mode::Key;
        key_base_ = base;
        segments_ = 0;
        want_segment_ = true;
    }

    void line_start() {
        const char c = peek();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance();
        } else if (c == '#') {
            skip_comment();
        } else if (c == '[') {
            header();
        } else {
            start_key(header_depth_);
        }
    }

    /// `[a.b]` or `[[a.b]]`: the keys that follow sit below its segments.
    void header() {
        advance();
        if (peek() == '[')
            advance();
        size_t segments = 0;
        bool want = true;
        while (!at_end()) {
            const char c = peek();
            if (c == ' ' || c == '\t') {
                advance();
            } else if (c == '.') {
                advance();
                want = true;
            } else if (c == ']' || c == '\n' || c == '#') {
                break;
            } else {
                if (want && !enter(++segments))
                    return;
                want = false;
                if (c == '"' || c == '\'')
                    skip_string();
                else
                    advance();
            }
        }
        header_depth_ = segments;
        mode_ = Mode::AfterValue;
    }

    void key() {
        const char c = peek();
        if (c == ' ' || c == '\t' || c == '\r') {
            advance();
        } else if (c == '.') {
            advance();
            want_segment_ = true;
        } else if (c == '=') {
            advance();
            // A missing key still counts as a level, so `{={={=` cannot nest for free.
            value_depth_ = key_base_ + (segments_ == 0 ? 1 : segments_);
            if (!enter(value_depth_))
                return;
            mode_ = Mode::Value;
        } else if (c == '\n') {
            advance();
            if (stack_.empty())
                mode_ = Mode::LineStart;
        } else if (c == '#') {
            skip_comment();
        } else if (c == '}' || c == ',') {
            // `{}` or a stray separator: leave it to the value rules.
            mode_ = Mode::AfterValue;
            after_value();
        } else {
            if (want_segment_ && !enter(key_base_ + ++segments_))
                return;
            want_segment_ = false;
            if (c == '"' || c == '\'')
                skip_string();
            else
                advance();
        }
    }

    void value() {
        const char c = peek();
        if (c == ' ' || c == '\t' || c == '\r') {
            advance();
        } else if (c == '\n') {
            advance();
            if (stack_.empty())
                mode_ = Mode::LineStart;
        } else if (c == '#') {
            skip_comment();
        } else if (c == '[') {
            if (!enter(value_depth_ + 1))
                return;
            advance();
            stack_.push_back({true, ++value_depth_});
        } else if (c == '{') {
            advance();
            stack_.push_back({false, value_depth_});
            start_key(value_depth_);
        } else if (c == ']' || c == '}' || c == ',') {
            // `[]`, or a trailing comma before `]`.
            mode_ = Mode::AfterValue;
            after_value();
        } else if (c == '"' || c == '\'') {
            skip_string();
            mode_ = Mode::AfterValue;
        } else {
            advance();
            mode_ = Mode::AfterValue;
        }
    }

    void after_value() {
        const char c = peek();
        if (c == ',') {
            advance();
            if (stack_.empty())
                return;
            if (stack_.back().array) {
                value_depth_ = stack_.back().depth;
                mode_ = Mode::Value;
            } else {
                start_key(stack_.back().depth);
            }
        } else if (c == ']' || c == '}') {
            if (!stack_.empty() && stack_.back().array == (c == ']'))
                stack_.pop_back();
            advance();
        } else if (c == '\n') {
            advance();
            if (stack_.empty())
                mode_ = Mode::LineStart;
            else if (stack_.back().array)
                mode_ = Mode::Value;
        } else if (c == '#') {
            skip_comment();
        } else if (c == '"' || c == '\'') {
            skip_string();
        } else {
            advance();
        }
    }

    std::string_view text_;
    std::string_view path_;
    size_t i_ = 0;
    uint32_t line_ = 1;
    uint32_t column_ = 1;
    Mode mode_ = Mode::LineStart;
    std::vector<Frame> stack_;
    size_t header_depth_ = 0;
    size_t key_base_ = 0;
    size_t segments_ = 0;
    bool want_segment_ = true;
    size_t value_depth_ = 0;
    std::optional<Diagnostic> error_;
};

/// Line and column of byte `offset`, counted as DepthScanner counts them.
SourcePos position_of(std::string_view text, std::string_view path, size_t offset) {
    SourcePos p{std::string(path), 1, 1};
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else if (i + 1 >= text.size() ||
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) != 0x80) {
            ++p.column;
        }
    }
    return p;
}

}  // namespace

std::optional<Diagnostic> check_text_limits(std::string_view text, std::string_view path) {
    if (text.size() > kMaxTextBytes)
        return Diagnostic{position_of(text, path, kMaxTextBytes),
                          fmt::format("text longer than {} bytes", kMaxTextBytes)};
    return DepthScanner(text, path).run();
}

void cap_diagnostics(Diagnostics& diags) {
    if (diags.size() <= kMaxDiagnostics)
        return;
    const size_t dropped = diags.size() - kMaxDiagnostics;
    SourcePos first = diags[kMaxDiagnostics].pos;
    diags.resize(kMaxDiagnostics);
    diags.push_back({std::move(first),
                     fmt::format("... and {} more error{}", dropped, dropped == 1 ? "" : "s")});
}

}  // namespace perouter::config
