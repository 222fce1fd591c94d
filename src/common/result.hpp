// Errors are values until they reach an edge (daemon, D-Bus, CLI) that logs or returns them.
// Result<T, E> is a small std::expected stand-in: g++ 12 only ships <expected> in C++23 mode.
#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace perouter {

/// An error with a human-readable message and, when it came from the OS, the errno value.
struct Error {
    std::string message;
    int code = 0;  ///< errno (positive) when the error came from a system call, else 0.

    /// Prefixes the message with context: "create vxlan 'vni100': File exists".
    [[nodiscard]] Error context(std::string_view what) const {
        return Error{fmt::format("{}: {}", what, message), code};
    }
};

/// An Error carrying strerror(code) as message text.
inline Error errno_error(int code, std::string_view what = {}) {
    std::string msg = std::strerror(code);
    if (!what.empty())
        msg = fmt::format("{}: {}", what, msg);
    return Error{std::move(msg), code};
}

template <class E>
struct Unexpected {
    E error;
};
template <class E>
Unexpected<std::decay_t<E>> fail(E&& e) {
    return {std::forward<E>(e)};
}
inline Unexpected<Error> fail(std::string message, int code = 0) {
    return {Error{std::move(message), code}};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    template <class U>
    Result(Unexpected<U> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const& { return std::get<1>(v_); }
    E&& error() && { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
  public:
    Result() = default;
    template <class U>
    Result(Unexpected<U> e) : err_(std::move(e.error)), ok_(false) {}  // NOLINT

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const E& error() const& { return err_; }
    E&& error() && { return std::move(err_); }

  private:
    E err_{};
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace perouter

/// Propagates the error of an expression returning Result<...>; evaluates to nothing on success.
#define PEROUTER_TRY(expr)                                               \
    do {                                                                 \
        auto&& perouter_try_r_ = (expr);                                 \
        if (!perouter_try_r_.ok())                                       \
            return ::perouter::fail(std::move(perouter_try_r_).error()); \
    } while (0)
