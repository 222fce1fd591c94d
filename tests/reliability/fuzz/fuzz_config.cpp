// libFuzzer target: the bytes as the main configuration file, through the whole pure path the
// daemon runs at start and reload: config::parse (src/config/load.hpp), then the planner and
// the FRR renderer and delta (plan_and_render.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/load.hpp"
#include "plan_and_render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace perouter;
    std::string text(reinterpret_cast<const char*>(data), size);
    auto cfg = config::parse({config::ConfigText{"fuzz.toml", std::move(text), /*main=*/true}});
    if (cfg.ok())
        fuzz::plan_and_render(*cfg);
    return 0;
}
