// Sysctls under /proc/sys/net are per network namespace: the namespace is the one of the
// thread that opens the file, so both reading and writing happen inside the side's namespace.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "netlink/ops.hpp"
#include "reconcile/observed.hpp"

namespace perouter::netlink::ops {

namespace {

Result<std::string> sysctl_path(const std::string& key) {
    if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos)
        return fail(fmt::format("invalid sysctl key '{}'", key), EINVAL);
    return "/proc/sys/" + key;
}

}  // namespace

Result<std::optional<std::string>> read_sysctl(const std::string& key) {
    auto path = sysctl_path(key);
    if (!path.ok())
        return fail(std::move(path).error());
    int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return std::optional<std::string>();
        return fail(errno_error(errno, fmt::format("read {}", *path)));
    }
    std::string text;
    char buf[512];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, static_cast<size_t>(n));
    int e = errno;
    ::close(fd);
    if (n < 0)
        return fail(errno_error(e, fmt::format("read {}", *path)));
    return std::optional<std::string>(reconcile::normalize_sysctl(text));
}

Status set_sysctl(const Namespaces& ns, const reconcile::SetSysctl& s) {
    std::string subject =
        fmt::format("set sysctl {} = {} in {}", s.key, s.value, plan::to_string(s.side));
    auto path = sysctl_path(s.key);
    if (!path.ok())
        return fail(std::move(path).error().context(subject));
    auto r = ns.run_in(s.side, [&]() -> Status {
        int fd = ::open(path->c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return fail(errno_error(errno));
        ssize_t n = ::write(fd, s.value.data(), s.value.size());
        int e = errno;
        ::close(fd);
        if (n < 0)
            return fail(errno_error(e));
        return {};
    });
    if (!r.ok())
        return fail(std::move(r).error().context(subject));
    return {};
}

Status set_link_ipv6(const Namespaces& ns, plan::Side side, const std::string& link, bool off) {
    auto r = set_sysctl(
        ns, reconcile::SetSysctl{side, plan::ipv6_disable_key(link), off ? "1" : "0", {}});
    // No such sysctl: the link has no IPv6 to turn off or on (a kernel booted with
    // ipv6.disable=1, or an MTU below IPv6's minimum).
    if (!r.ok() && r.error().code == ENOENT)
        return {};
    return r;
}

}  // namespace perouter::netlink::ops
