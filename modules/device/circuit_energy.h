// Energy of the circuit's events, from its parameters and the simulated data (docs/cost_model.md,
// section Energy). Plain C++: the blocks call these functions with what they just did and keep the
// results as whole attojoules. The units are chosen so that the products come out in attojoules:
// V x nA x ns = 1 aJ, fF x V^2 = 1 fJ = 1000 aJ, mW x ns = 1 pJ, uW x ns = 1 fJ.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "config/head_config.h"
#include "device/cell_model.h"
#include "device/circuit_timing.h"

namespace gcasim::device {

/// A cell's read current relative to one MAC unit of current, with the reference current folded
/// in: I = read_current_na * (P(delta*y) - P_floor), P the unsigned cell response (polarity +1)
/// and P_floor = P(-v_mid), a cell storing 0 V (the smallest current).
struct cell_current {
    double floor = 0;  ///< P_floor (MAC units)
    double top = 0;    ///< P(+v_mid): a cell at the top of its range (MAC units)
    int polarity = 1;  ///< sign of cell_model::read relative to the physical current
};
cell_current cell_current_range(const cell_model& model);

/// V x I_u x T (aJ): a MAC unit of current for a full pulse.
double read_unit_aj(double read_v, double read_current_na, double t_max_ns);

/// Charge of a line of `cells` cells to `v` (aJ): cells x ff_per_cell x v^2.
double line_charge_aj(double cells, double ff_per_cell, double v);

/// Cell reads of one MAC (aJ): unit x sum over the driven cells of x * (P(delta*y) - P_floor), from
/// the MAC's outputs without read noise: polarity * sum(outputs) - P_floor * sum(x) * cells per input
/// line. Never negative.
double mac_read_aj(double unit_aj, int polarity, double sum_outputs, double floor, double sum_inputs,
                   double cells_per_input);

/// Charge-to-pulse conversions (aJ), each ending a pulse of width phi (fraction of T_max):
/// conversion_pj + unit * s_sat * phi (the discharge current that ends the pulse runs for phi*T),
/// summed over the conversions: it needs only the sum of phi.
double c2p_conversions_aj(double conversions, double conversion_pj, double unit_aj, double s_sat, double sum_phi);

/// Signed readout conversions (aJ), each of a value x (before quantization, |x| <= 1):
/// conversion_pj + unit * readout.scale * |x| (the discharge), summed over the conversions.
double readout_conversions_aj(double conversions, double conversion_pj, double unit_aj, double scale, double sum_abs_x);

/// Counter increments (aJ): |steps| * counter_step_fj.
double counter_steps_aj(double steps, double counter_step_fj);

/// Writes of `cells` cells through DACs (aJ), each cell to v: (L_kv - 1) * level_fj (the conversion,
/// `conversion_aj`) + C_wbl * V_max * v (the write line) + C_s * v^2 / 2 (the storage node), summed:
/// it needs only the sums of v and v^2 over the cells.
double dac_write_aj(double cells, double conversion_aj, double write_line_ff, double v_max, double storage_ff,
                    double sum_v, double sum_v2);

/// Power x time (aJ): mW x ns = 1 pJ.
double power_time_aj(double power_mw, double time_ns);

/// The per-event energies of a head, from its config (what the builders hand to the blocks).
struct head_energy {
    cell_current current;
    double read_unit_aj = 0;       ///< V x I_u x T
    double dac_conversion_aj = 0;  ///< (L_kv - 1) * dac.level_fj
    double write_line_ff = 0;      ///< C_wbl = L x lines.bl_ff_per_cell
    long counter_steps = 0;        ///< M, full scale
    int output_bits = 0;           ///< b_out
    double adders_aj = 0;          ///< per token: (N - 1) * d * b_out * add_fj_per_bit (0 with charge sharing)
    double scaling_aj = 0;         ///< per token: d * mult_pj
    double routing_aj = 0;         ///< per token: d * b_out * route_fj_per_bit
};
head_energy head_energy_of(const config::head_config& config);

/// Static power (uW) of a block of `area_um2` (device/circuit_area.h): area x process.leakage_uw_per_mm2.
double static_power_uw(const config::head_config& config, double area_um2);

/// Static power (uW) of a whole head, by the published part of each block (qk, pv, dac, digital).
std::map<std::string, double> head_static_power_uw(const config::head_config& config);

/// Static energy (aJ) of `power_uw` during `time_ns`: uW x ns = 1 fJ.
double static_energy_aj(double power_uw, double time_ns);

/// Time the control is clocked per token (ns): write + readout + digital phases (config/head_timing.h).
double control_active_ns(const config::head_config& config);

/// Worst-case refresh time of a token (ns; 0 without refresh): the most lines one sub-tile finds due,
/// ceil(array.tokens * token_period / refresh.age), one write each, while the control is clocked.
double worst_refresh_ns(const config::head_config& config);

/// Worst case of one head and token at full window (pJ), by part and "total": every enabled pulse at
/// T_max, every cell at the top of its range, every counter at full scale, the same static term
/// (one token period).
std::map<std::string, double> worst_case_head_pj(const config::head_config& config);

}  // namespace gcasim::device
