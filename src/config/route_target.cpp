#include "config/route_target.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "common/ip.hpp"

namespace perouter::config {

namespace {

std::optional<uint64_t> decimal(std::string_view s) {
    if (s.empty() || s.size() > 10)
        return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
}

}  // namespace

std::optional<std::string> route_target_problem(std::string_view rt) {
    constexpr uint64_t k2Byte = 65535;
    constexpr uint64_t k4Byte = 4294967295;
    if (rt.size() > 21)
        return "longer than 21 characters";
    auto colon = rt.rfind(':');
    const std::string format = "must be 'ASN:MN' or 'A.B.C.D:MN'";
    if (colon == std::string_view::npos)
        return format;
    auto admin = rt.substr(0, colon);
    auto mn = decimal(rt.substr(colon + 1));
    if (!mn)
        return format;
    if (admin.find('.') != std::string_view::npos) {
        auto ip = IpAddress::parse(admin);
        if (!ip || !ip->is_v4())
            return format;
        if (*mn > k2Byte)
            return fmt::format("the number after an ipv4 address must be at most {}", k2Byte);
        return std::nullopt;
    }
    auto asn = decimal(admin);
    if (!asn || *asn > k4Byte)
        return format;
    if (*asn > k2Byte && *mn > k2Byte)
        return fmt::format("the number after a 4-byte asn must be at most {}", k2Byte);
    if (*mn > k4Byte)
        return fmt::format("the number after a 2-byte asn must be at most {}", k4Byte);
    return std::nullopt;
}

}  // namespace perouter::config
