#include "dbus/vpn_path.hpp"

#include <systemd/sd-bus.h>

#include <cstdlib>
#include <memory>
#include <new>

#include "dbus/names.hpp"

namespace perouter::dbus {
namespace {

struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

}  // namespace

std::string vpn_object_path(std::string_view name) {
    std::string id(name);
    char* raw = nullptr;
    // Only allocation can fail here: the prefix is a valid path by construction.
    if (sd_bus_path_encode(kVpnPathPrefix, id.c_str(), &raw) < 0)
        throw std::bad_alloc();
    CString path(raw);
    return std::string(path.get());
}

std::optional<std::string> vpn_name_from_path(std::string_view path) {
    std::string p(path);
    char* raw = nullptr;
    int r = sd_bus_path_decode(p.c_str(), kVpnPathPrefix, &raw);
    if (r < 0)
        throw std::bad_alloc();
    CString name(raw);
    if (r == 0 || !name)
        return std::nullopt;
    // sd_bus_path_decode accepts deeper paths too ("<prefix>/a/b" decodes to "a/b"); VPN
    // objects are exactly one level below the prefix.
    std::string result(name.get());
    if (vpn_object_path(result) != p)
        return std::nullopt;
    return result;
}

}  // namespace perouter::dbus
