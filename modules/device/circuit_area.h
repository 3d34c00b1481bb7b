// Area of the circuit from its parameters (docs/cost_model.md, "Area"): every block of a sub-tile,
// the head's adder tree and control (a layer is `heads` heads). Plain C++, no SystemC. Areas are
// um^2 here; reports turn them into mm^2 (mm2()).
//
// A sub-tile is a K array and a V array of L x d gain cells (L = array.tokens, d = head_dim) with
// their periphery; a head is N = ceil(window / L) sub-tiles, the adder tree that adds their outputs
// and the control. Stacking (array.tiers) divides the cells' footprint only: the periphery stays in
// the silicon below.
#pragma once

#include "config/head_config.h"

namespace gcasim::device {

/// The blocks of one sub-tile (um^2).
struct sub_tile_area {
    double k_cells = 0;           ///< L x d cells of the K array / tiers
    double v_cells = 0;           ///< L x d cells of the V array / tiers
    double pulse_generators = 0;  ///< d query pulse generators driving the K array's rows
    double k_dacs = 0;            ///< d write DACs of the K array (one per row)
    double v_dacs = 0;            ///< d write DACs of the V array (one per column)
    double c2p = 0;               ///< L charge-to-pulse converters after the K array (one per token)
    double readout = 0;           ///< d signed readout converters after the V array (one per column)
    double counters = 0;          ///< d readout counters (sign + magnitude flip-flops)

    double cells() const { return k_cells + v_cells; }
    double periphery() const { return pulse_generators + k_dacs + v_dacs + c2p + readout + counters; }
    double total() const { return cells() + periphery(); }
};

/// The blocks of one head (um^2).
struct head_area {
    sub_tile_area sub_tile;  ///< one sub-tile
    int sub_tiles = 0;       ///< N
    double adder_tree = 0;   ///< (N - 1) x d adders of the combined output's width (none with charge sharing)
    double control = 0;      ///< digital control and routing

    double sub_tiles_total() const { return sub_tiles * sub_tile.total(); }
    double total() const { return sub_tiles_total() + adder_tree + control; }
};

/// One array's cells: L * d * cell.area_um2 / array.tiers.
double cell_array_um2(const config::head_config& h);
/// One write DAC: (kv_levels - 1) unit elements of dac.area_per_level_um2.
double write_dac_um2(const config::head_config& h);
/// Flip-flops of one readout counter: ceil(log2(M + 1)) for the magnitude (M =
/// counter_full_scale_steps, device/circuit_timing.h: 16 at 32 levels with the authors' clip) + 1 for
/// the sign.
int counter_flops(const config::head_config& h);
/// The adder tree: (N - 1) * d adders of b_out bits (output_bits, device/circuit_timing.h:
/// ceil(log2 L_out) + ceil(log2 N)); 0 with charge sharing.
double adder_tree_um2(const config::head_config& h);

sub_tile_area area_of_sub_tile(const config::head_config& h);
head_area area_of_head(const config::head_config& h);

/// um^2 -> mm^2 (a division: a whole number of um^2 gives the nearest mm^2, 200000 -> 0.2).
constexpr double mm2(double um2) { return um2 / 1e6; }

}  // namespace gcasim::device
