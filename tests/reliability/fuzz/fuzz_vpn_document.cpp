// libFuzzer target: the bytes as the TOML argument of D-Bus AddVpn, through the checks the
// daemon runs on it before anything else (src/daemon/service.cpp): the shape of the document
// (config::check_vpn_document, src/config/vpn_document.hpp) for a name that passes
// config::vpn_name_problem, and the name check itself on the first line of the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/vpn_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace perouter;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // The first line is the VPN name a caller would pass along; the whole input is the document
    // (so the name line is a TOML comment or a syntax error, both of which the check must take).
    std::string_view first = input.substr(0, input.find('\n'));
    std::string name(first.size() > 1 && first[0] == '#' ? first.substr(1) : "blue");
    if (!config::vpn_name_problem(name).empty())
        name = "blue";
    auto kind = config::check_vpn_document({"<AddVpn>", std::string(input)}, name);
    if (kind.ok() && *kind != "l3vni" && *kind != "l2vni") {
        std::fprintf(stderr, "check_vpn_document returned kind '%s'\n", kind->c_str());
        std::abort();
    }
    // Every name reaches vpn_name_problem first in AddVpn and RemoveVpn.
    (void)config::vpn_name_problem(std::string(first));
    return 0;
}
