// Area of the circuit (device/circuit_area.h): the scaling laws of docs/cost_model.md ("Area") and
// the equations at hand-computed points. Parameters are set here, not taken from the defaults,
// except in the design-point check, which is the calibration itself.
#include <catch2/catch.hpp>

#include "config/head_config.h"
#include "device/circuit_area.h"
#include "device/quantizer.h"

using namespace gcasim;
using namespace gcasim::device;
using Catch::Matchers::WithinRel;

namespace {

/// Round figures, so that every area below can be computed by hand.
config::head_config hand_config()
{
    config::head_config h = config::default_head_config();
    h.window = 1024;
    h.head_dim = 64;
    h.array.tokens = 64;
    h.array.tiers = 1;
    h.cell.area_um2 = 1.0;
    h.quant.kv_levels = 8;
    h.quant.out_levels = 32;
    h.quant.out_clip = output_clip::authors;
    h.dac.area_per_level_um2 = 2.0;
    h.pulse.generator_area_um2 = 20.0;
    h.c2p.area_um2 = 25.0;
    h.readout.area_um2 = 30.0;
    h.readout.combine = combine_mode::digital_adders;
    h.digital.flop_area_um2 = 5.0;
    h.digital.adder_area_um2_per_bit = 4.0;
    h.digital.control_area_mm2 = 0.2;
    return h;
}

}  // namespace

TEST_CASE("a counter holds the quantizer's code at +1 in magnitude bits, plus the sign", "[area][readout]")
{
    config::head_config h = hand_config();
    for (int levels = 3; levels <= 300; ++levels) {
        INFO("out_levels " << levels);
        h.quant.out_levels = levels;
        const long full_scale = quantizer(-1.0, 1.0, levels).steps(1.0);  // authors: the quantizer's own code
        int bits = 0;
        while ((1L << bits) <= full_scale)
            ++bits;
        h.quant.out_clip = output_clip::authors;
        CHECK(counter_flops(h) == bits + 1);
        h.quant.out_clip = output_clip::counter;  // saturated at floor((L - 1) / 2) steps
        bits = 0;
        while ((1L << bits) <= (levels - 1) / 2)
            ++bits;
        CHECK(counter_flops(h) == bits + 1);
    }
}

TEST_CASE("sub-tile and head areas at a hand-computed point", "[area]")
{
    const config::head_config h = hand_config();
    const sub_tile_area s = area_of_sub_tile(h);
    CHECK(s.k_cells == 4096.0);                    // 64 x 64 x 1 um^2
    CHECK(s.v_cells == 4096.0);
    CHECK(s.pulse_generators == 64 * 20.0);
    CHECK(s.k_dacs == 64 * 7 * 2.0);               // 7 unit elements per 8-level DAC
    CHECK(s.v_dacs == 64 * 7 * 2.0);
    CHECK(s.c2p == 64 * 25.0);
    CHECK(s.readout == 64 * 30.0);
    CHECK(counter_flops(h) == 6);                  // M = 16 needs 5 bits, + sign
    CHECK(s.counters == 64 * 6 * 5.0);
    CHECK(s.total() == 16704.0);

    const head_area a = area_of_head(h);
    CHECK(a.sub_tiles == 16);
    CHECK(a.adder_tree == 15 * 64 * 9 * 4.0);      // 15 x 64 adders of 5 + 4 bits
    CHECK(a.control == 200000.0);
    CHECK_THAT(a.total(), WithinRel(16 * 16704.0 + 34560.0 + 200000.0, 1e-15));
    CHECK(mm2(a.control) == 0.2);
}

TEST_CASE("a head's area is linear in its sub-tiles", "[area]")
{
    config::head_config h = hand_config();
    h.window = 1024;
    const head_area a1 = area_of_head(h);
    h.window = 2048;
    const head_area a2 = area_of_head(h);
    h.window = 4096;
    const head_area a4 = area_of_head(h);
    REQUIRE(a2.sub_tiles == 2 * a1.sub_tiles);
    REQUIRE(a4.sub_tiles == 4 * a1.sub_tiles);
    // The sub-tiles' part scales exactly; a sub-tile does not depend on the window.
    CHECK(a2.sub_tile.total() == a1.sub_tile.total());
    CHECK(a2.sub_tiles_total() == 2 * a1.sub_tiles_total());
    CHECK(a4.sub_tiles_total() == 4 * a1.sub_tiles_total());
    // The adder tree: (N - 1) adders per output, each one carry bit wider per doubling of N.
    CHECK(a2.adder_tree == 31 * 64 * 10 * 4.0);
    CHECK(a4.adder_tree == 63 * 64 * 11 * 4.0);
    // The control is one per head.
    CHECK(a4.control == a1.control);
    // A window that is not a multiple of the tile still pays for a whole sub-tile.
    h.window = 1025;
    CHECK(area_of_head(h).sub_tiles_total() == 17 * a1.sub_tile.total());
}

TEST_CASE("stacked tiers divide the cells' footprint and nothing else", "[area]")
{
    config::head_config h = hand_config();
    const head_area planar = area_of_head(h);
    for (int tiers : {2, 3, 12}) {
        INFO("tiers " << tiers);
        h.array.tiers = tiers;
        const head_area stacked = area_of_head(h);
        CHECK_THAT(stacked.sub_tile.cells(), WithinRel(planar.sub_tile.cells() / tiers, 1e-15));
        CHECK(stacked.sub_tile.periphery() == planar.sub_tile.periphery());
        CHECK(stacked.adder_tree == planar.adder_tree);
        CHECK(stacked.control == planar.control);
    }
}

TEST_CASE("charge sharing has no adder tree; the output levels size the counters", "[area]")
{
    config::head_config h = hand_config();
    h.readout.combine = combine_mode::charge_sharing;
    CHECK(area_of_head(h).adder_tree == 0.0);
    h = hand_config();
    h.quant.out_levels = 256;  // M = 128 (authors: 127.5 -> 128): 8 bits + sign
    CHECK(counter_flops(h) == 9);
    h.quant.out_clip = output_clip::counter;  // M = 127: 7 bits + sign
    CHECK(counter_flops(h) == 8);
    h = hand_config();
    h.quant.kv_levels = 16;
    CHECK(area_of_sub_tile(h).k_dacs == 64 * 15 * 2.0);
}

TEST_CASE("the design-point head is the published 0.5 mm^2 (calibration, +-10 %)", "[area][design_point]")
{
    const head_area a = area_of_head(config::default_head_config());
    CHECK_THAT(mm2(a.total()), WithinRel(0.5, 0.10));
}
