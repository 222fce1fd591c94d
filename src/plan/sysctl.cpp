#include <vector>

#include "plan/desired.hpp"

namespace perouter::plan {

std::optional<std::string> sysctl_interface(std::string_view key) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= key.size()) {
        size_t slash = key.find('/', start);
        if (slash == std::string_view::npos)
            slash = key.size();
        parts.push_back(key.substr(start, slash - start));
        start = slash + 1;
    }
    if (parts.size() < 5 || parts[0] != "net" || (parts[1] != "ipv4" && parts[1] != "ipv6") ||
        (parts[2] != "conf" && parts[2] != "neigh"))
        return std::nullopt;
    if (parts[3] == "all" || parts[3] == "default")
        return std::nullopt;
    return std::string(parts[3]);
}

std::string ipv6_disable_key(std::string_view link) {
    return "net/ipv6/conf/" + std::string(link) + "/disable_ipv6";
}

}  // namespace perouter::plan
