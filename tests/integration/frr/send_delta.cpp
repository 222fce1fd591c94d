// frr_send_delta ROOT NAME FILE: sends a delta script to the FRR instance whose run directory
// is ROOT/run/frr/NAME the way perouterd does (frr::send_delta: each daemon its lines over its
// vty socket when frr/daemon_route.hpp routes every line, else one `vtysh -f`), and prints the
// route taken ("daemon-sockets", "vtysh", "nothing"). For frr_delta_test.py.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "frr/instance.hpp"

int main(int argc, char** argv) {
    using perouter::frr::DeltaRoute;
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s ROOT NAME FILE\n", argv[0]);
        return 2;
    }
    std::ifstream in(argv[3], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[3]);
        return 2;
    }
    auto sent =
        perouter::frr::send_delta(perouter::frr::InstancePaths{argv[2], argv[1]}, text.str());
    if (!sent) {
        std::fprintf(stderr, "%s\n", sent.error().message.c_str());
        return 1;
    }
    const char* route = *sent == DeltaRoute::DaemonSockets ? "daemon-sockets"
                        : *sent == DeltaRoute::Vtysh       ? "vtysh"
                                                           : "nothing";
    std::printf("%s\n", route);
    return 0;
}
