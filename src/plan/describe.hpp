// A stable, line-oriented text form of a DesiredState: golden tests compare it, and operators
// read it (perouterd --show-plan).
#pragma once

#include <string>

#include "plan/desired.hpp"

namespace perouter::plan {

std::string describe(const LinkSpec& l);
std::string describe(const AddressSpec& a);
std::string describe(const RouteSpec& r);
/// Every object, one per line, followed by the rendered FRR configuration.
std::string describe(const DesiredState& d);

}  // namespace perouter::plan
