#include "device/circuit_area.h"

#include "device/circuit_timing.h"

namespace gcasim::device {

namespace {

/// Flip-flops that hold every count 0 .. n: ceil(log2(n + 1)).
int bits_to_hold(int n)
{
    int b = 0;
    while ((1LL << b) <= n)
        ++b;
    return b;
}

}  // namespace

double cell_array_um2(const config::head_config& h)
{
    return double(h.array.tokens) * h.head_dim * h.cell.area_um2 / h.array.tiers;
}

double write_dac_um2(const config::head_config& h)
{
    return (h.quant.kv_levels - 1) * h.dac.area_per_level_um2;
}

int counter_flops(const config::head_config& h)
{
    return bits_to_hold(counter_full_scale_steps(h.quant.out_levels, h.quant.out_clip)) + 1;
}

double adder_tree_um2(const config::head_config& h)
{
    if (h.readout.combine == combine_mode::charge_sharing)
        return 0.0;
    const int bits = output_bits(h.quant.out_levels, h.sub_tiles(), h.readout.combine);
    return double(h.sub_tiles() - 1) * h.head_dim * bits * h.digital.adder_area_um2_per_bit;
}

sub_tile_area area_of_sub_tile(const config::head_config& h)
{
    const double d = h.head_dim;
    sub_tile_area a;
    a.k_cells = cell_array_um2(h);
    a.v_cells = cell_array_um2(h);
    a.pulse_generators = d * h.pulse.generator_area_um2;
    a.k_dacs = d * write_dac_um2(h);
    a.v_dacs = d * write_dac_um2(h);
    a.c2p = h.array.tokens * h.c2p.area_um2;
    a.readout = d * h.readout.area_um2;
    a.counters = d * counter_flops(h) * h.digital.flop_area_um2;
    return a;
}

head_area area_of_head(const config::head_config& h)
{
    head_area a;
    a.sub_tile = area_of_sub_tile(h);
    a.sub_tiles = h.sub_tiles();
    a.adder_tree = adder_tree_um2(h);
    a.control = h.digital.control_area_mm2 * 1e6;
    return a;
}

}  // namespace gcasim::device
