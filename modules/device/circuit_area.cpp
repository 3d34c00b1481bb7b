#include "device/circuit_area.h"

#include "device/readout_modes.h"

namespace gcasim::device {

namespace {

// The counter's full scale M and the combined output's width b_out are the timing's facts too; they
// move to device/circuit_timing.h (counter_full_scale_steps, output_bits) when it lands.

/// Smallest b with 2^b >= n (0 for n <= 1).
int ceil_log2(long long n)
{
    int b = 0;
    while ((1LL << b) < n)
        ++b;
    return b;
}

/// M: the largest magnitude code of the counter, (L_out - 1)/2 steps rounded half to even like the
/// quantizer (authors: 16 at 32 levels) or saturated (counter: 15).
int full_scale_steps(int out_levels, output_clip clip)
{
    const int half = (out_levels - 1) / 2;
    if ((out_levels - 1) % 2 == 0 || clip == output_clip::counter)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

/// b_out: ceil(log2 L_out) bits of a counter code + ceil(log2 N) carries of the digital adders.
int combined_output_bits(int out_levels, int sub_tiles, combine_mode combine)
{
    return ceil_log2(out_levels) + (combine == combine_mode::digital_adders ? ceil_log2(sub_tiles) : 0);
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
    const int full_scale = full_scale_steps(h.quant.out_levels, h.quant.out_clip);
    return ceil_log2(full_scale + 1) + 1;
}

double adder_tree_um2(const config::head_config& h)
{
    if (h.readout.combine == combine_mode::charge_sharing)
        return 0.0;
    const int bits = combined_output_bits(h.quant.out_levels, h.sub_tiles(), h.readout.combine);
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
