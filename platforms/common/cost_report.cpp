#include "cost_report.h"

#include <cstdio>

#include "config/param_schema.h"
#include "config/platform_params.h"

namespace gcasim::platform {

using device::mm2;
using nlohmann::json;

json area_report(const device::head_area& area, std::size_t heads)
{
    const device::sub_tile_area& s = area.sub_tile;
    const double n = area.sub_tiles;
    const json by_block = {{"cells", mm2(n * s.cells())},
                           {"pulse_generators", mm2(n * s.pulse_generators)},
                           {"dacs", mm2(n * (s.k_dacs + s.v_dacs))},
                           {"c2p", mm2(n * s.c2p)},
                           {"readout", mm2(n * s.readout)},
                           {"counters", mm2(n * s.counters)},
                           {"adders", mm2(area.adder_tree)},
                           {"control", mm2(area.control)}};
    return {{"per_sub_tile", mm2(s.total())},
            {"per_head", mm2(area.total())},
            {"layer", mm2(area.total()) * static_cast<double>(heads)},
            {"by_block", by_block}};
}

void print_area(const device::head_area& area, std::size_t heads, const std::string& whole)
{
    const double n = area.sub_tiles;
    std::printf("  area                %.4g mm^2 per head (cells %.4g, periphery %.4g, adders %.4g, control %.4g)",
                mm2(area.total()), mm2(n * area.sub_tile.cells()), mm2(n * area.sub_tile.periphery()),
                mm2(area.adder_tree), mm2(area.control));
    if (heads > 1)
        std::printf(", %.4g mm^2 %s", mm2(area.total()) * static_cast<double>(heads), whole.c_str());
    std::printf("\n");
}

json provenance_report(const std::string& platform)
{
    config::param_schema schema;
    config::add_platform_params(schema, platform);
    json sources = json::object();
    for (const config::param_spec& p : schema.params())
        if (!p.source.empty())
            sources[p.path] = p.source;
    return sources;
}

}  // namespace gcasim::platform
