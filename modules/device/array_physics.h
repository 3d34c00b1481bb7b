// Array physics (lines.physics): the resistance and capacitance of the word and bit lines, and the
// parasitics of the charge-sharing bus. Off by default (ideal lines, the paper's model). Plain C++;
// the equations are in docs/cost_model.md (Array physics).
//
// Geometry (the paper's arrays, L = array.tokens, d = head_dim):
//   K array: d word lines (the query pulses) of L cells, L bit lines (one token's score) of d cells;
//   V array: L word lines (the phi pulses) of d cells, d bit lines (one output) of L cells;
//   writes:  one write line per DAC spans the L token lines of either array.
#pragma once

#include <vector>

#include "config/head_config.h"
#include "device/cell_model.h"

namespace gcasim::device {

enum class array_side { k, v };
enum class line_access { read, write };

/// Elmore time constant (ns) of a line of `cells` cells driven from one end through `driver_ohm`:
/// tau = R_d * n * c + r * c * n^2 / 2 (lumped driver into the line, distributed RC of the line).
double elmore_tau_ns(double driver_ohm, double r_ohm_per_cell, double ff_per_cell, int cells);

/// Time (ns) for a first-order settle of time constant tau to come within half an LSB of a
/// `levels`-level grid: tau * ln(2 * levels).
double half_lsb_settle_ns(double tau_ns, int levels);

/// The circuit numbers a line settle needs, taken from the config.
struct line_rc {
    double driver_ohm{};
    double r_ohm_per_cell{};
    double wl_ff_per_cell{};
    double bl_ff_per_cell{};
};

/// Extra time (ns) a phase needs for the lines of one array to settle:
/// read: the word line (driven by the pulse generator) and the bit line (into the integrator) are
///   two RC stages in series, so their Elmore delays add: (tau_wl + tau_bl) * ln(2 * levels), with
///   levels the finest grid the result is read on (K: the query pulses, quant.q_levels; V: the
///   readout counter, quant.out_levels);
/// write: the DAC drives a write line of L cells (bit-line capacitance) to half an LSB of the
///   stored value, tau * ln(2 * quant.kv_levels); both arrays write alike.
/// The levels hold even with quant.enabled false: the circuit does not change.
double line_settle_ns(const line_rc& lines, int tokens, int head_dim, int read_levels, int write_levels,
                      array_side side, line_access access);

/// line_settle_ns of a head's config; 0 when lines.physics is off (ideal lines).
inline double line_settle_ns(const config::head_config& c, array_side side, line_access access)
{
    if (!c.lines.physics)
        return 0.0;
    const line_rc rc{c.lines.driver_ohm, c.lines.r_ohm_per_cell, c.lines.wl_ff_per_cell, c.lines.bl_ff_per_cell};
    const int read_levels = side == array_side::k ? c.quant.q_levels : c.quant.out_levels;
    return line_settle_ns(rc, c.array.tokens, c.head_dim, read_levels, c.quant.kv_levels, side, access);
}

/// Resistance (ohm) of a cell read at full current: V / (I_u * |P(+0.45) - P_floor|), with
/// P_floor = P(-0.45) the current of a cell storing 0 V (the reference folded into P).
/// Infinite when the read current is 0.
double full_read_ohm(const cell_model& model, double read_v, double read_current_na);

/// IR drop along a bit line of `cells` cells whose sense end (the integrator, a virtual ground) is
/// next to cell 0. Every cell is a conductance 1/cell_ohm from the driven word line (at V) to its
/// bit-line node; the line has r_ohm_per_cell between neighbours. The current of the far cells
/// flows through every segment nearer the sense end, so each node rises above ground and its cell
/// sees less than V. Solved exactly for that ladder (tridiagonal), with every cell at full current
/// (the largest drop: an upper bound for real data). Returns the gain g_k = I_k / I_ideal of each
/// cell, 1 >= g_0 >= g_1 >= ... > 0, independent of V.
std::vector<double> bit_line_gains(int cells, double r_ohm_per_cell, double cell_ohm);

/// bit_line_gains of one array of a head (K: bit lines of head_dim cells; V: of array.tokens cells),
/// its cells at full read current; empty when lines.physics is off.
inline std::vector<double> bit_line_gains(const config::head_config& c, const cell_model& model, array_side side)
{
    if (!c.lines.physics)
        return {};
    const int cells = side == array_side::k ? c.head_dim : c.array.tokens;
    return bit_line_gains(cells, c.lines.r_ohm_per_cell, full_read_ohm(model, c.cell.read_v, c.cell.read_current_na));
}

/// The read of a cell with gain g: the physical current I_u (P - P_floor) is scaled, the reference
/// P_floor is not: g * P + (1 - g) * P_floor. The arrays apply g through their per-cell gains and add
/// this per-cell offset, (1 - g) * P_floor, times the cell's input.
inline double ir_drop_offset(double gain, double floor_read) { return (1.0 - gain) * floor_read; }

/// Charge sharing of N sub-tiles: each integrator of capacitance C_int holds Q_n; connecting them
/// with a parasitic C_par = N * share_ff_per_tile gives sum Q_n / (N C_int + C_par), i.e. the ideal
/// average times N C_int / (N C_int + C_par). Exactly 1 at zero parasitics.
double charge_sharing_gain(double integrator_ff, int sub_tiles, double share_ff_per_tile);

/// charge_sharing_gain of a head: 1 when lines.physics is off or the readout does not share.
inline double charge_sharing_gain(const config::head_config& c)
{
    if (!c.lines.physics || c.readout.combine != combine_mode::charge_sharing)
        return 1.0;
    return charge_sharing_gain(c.readout.integrator_ff, c.sub_tiles(), c.lines.share_ff_per_tile);
}

}  // namespace gcasim::device
