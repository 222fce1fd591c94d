// BGP extended-community route targets as written in export_rts / import_rts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace perouter::config {

/// Why `rt` is not a valid route target, or nullopt. Accepted: "ASN:MN" with a 2-byte ASN and
/// a 4-byte MN, "ASN:MN" with a 4-byte ASN and a 2-byte MN, or "A.B.C.D:MN" with a 2-byte MN;
/// at most 21 characters (upstream's RouteTarget type).
std::optional<std::string> route_target_problem(std::string_view rt);

}  // namespace perouter::config
