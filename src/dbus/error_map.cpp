#include "dbus/error_map.hpp"

#include <cerrno>

#include "dbus/names.hpp"

namespace perouter::dbus {
namespace {

const sd_bus_error_map kMap[] = {
    SD_BUS_ERROR_MAP(kErrorInvalidConfig, EINVAL), SD_BUS_ERROR_MAP(kErrorNoSuchVpn, ENOENT),
    SD_BUS_ERROR_MAP(kErrorVpnExists, EEXIST),     SD_BUS_ERROR_MAP(kErrorReadOnly, EROFS),
    SD_BUS_ERROR_MAP(kErrorFailed, EIO),           SD_BUS_ERROR_MAP_END,
};

}  // namespace

const sd_bus_error_map* router_error_map() {
    return kMap;
}

int register_error_map() {
    // sd-bus ignores a map it already holds (same pointer), so calling this from both the
    // server and the client library is safe.
    int r = sd_bus_error_add_map(kMap);
    return r < 0 ? r : 0;
}

}  // namespace perouter::dbus
