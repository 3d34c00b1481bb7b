#include "device/circuit_energy.h"

#include <algorithm>
#include <cmath>

#include "config/head_timing.h"
#include "device/circuit_area.h"
#include "device/quantizer.h"

namespace gcasim::device {

namespace {

constexpr double aj_per_fj = 1e3;
constexpr double aj_per_pj = 1e6;

}  // namespace

cell_current cell_current_range(const cell_model& model)
{
    // read() carries the polarity; the physical current does not.
    const int polarity = model.read(2 * v_mid) >= model.read(0.0) ? 1 : -1;
    return {polarity * model.read(0.0), polarity * model.read(2 * v_mid), polarity};
}

double read_unit_aj(double read_v, double read_current_na, double t_max_ns)
{
    return read_v * read_current_na * t_max_ns;
}

double line_charge_aj(double cells, double ff_per_cell, double v)
{
    return cells * ff_per_cell * v * v * aj_per_fj;
}

double mac_read_aj(double unit_aj, int polarity, double sum_outputs, double floor, double sum_inputs,
                   double cells_per_input)
{
    return unit_aj * std::max(0.0, polarity * sum_outputs - floor * sum_inputs * cells_per_input);
}

double c2p_conversions_aj(double conversions, double conversion_pj, double unit_aj, double s_sat, double sum_phi)
{
    return conversions * conversion_pj * aj_per_pj + unit_aj * s_sat * sum_phi;
}

double readout_conversions_aj(double conversions, double conversion_pj, double unit_aj, double scale, double sum_abs_x)
{
    return conversions * conversion_pj * aj_per_pj + unit_aj * scale * sum_abs_x;
}

double counter_steps_aj(double steps, double counter_step_fj)
{
    return steps * counter_step_fj * aj_per_fj;
}

double dac_write_aj(double cells, double conversion_aj, double write_line_ff, double v_max, double storage_ff,
                    double sum_v, double sum_v2)
{
    return cells * conversion_aj + (write_line_ff * v_max * sum_v + storage_ff * sum_v2 / 2) * aj_per_fj;
}

double power_time_aj(double power_mw, double time_ns)
{
    return power_mw * time_ns * aj_per_pj;
}

head_energy head_energy_of(const config::head_config& c)
{
    const cell_model model(c.cell.nonlinearity, c.cell.leakage.model, c.cell.polarity);
    const int n = c.sub_tiles(), d = c.head_dim;
    head_energy e;
    e.current = cell_current_range(model);
    e.read_unit_aj = read_unit_aj(c.cell.read_v, c.cell.read_current_na, c.pulse.t_max_ns);
    e.dac_conversion_aj = (c.quant.kv_levels - 1) * c.dac.level_fj * aj_per_fj;
    e.write_line_ff = c.array.tokens * c.lines.bl_ff_per_cell;
    e.counter_steps = counter_full_scale_steps(c.quant.out_levels, c.quant.out_clip);
    e.output_bits = output_bits(c.quant.out_levels, n, c.readout.combine);
    const bool adders = c.readout.combine == combine_mode::digital_adders;
    e.adders_aj = adders ? (n - 1.0) * d * e.output_bits * c.digital.add_fj_per_bit * aj_per_fj : 0.0;
    e.scaling_aj = d * c.digital.mult_pj * aj_per_pj;
    e.routing_aj = d * e.output_bits * c.digital.route_fj_per_bit * aj_per_fj;
    return e;
}

double static_power_uw(const config::head_config& c, double area_um2)
{
    return area_um2 * 1e-6 * c.process.leakage_uw_per_mm2;
}

std::map<std::string, double> head_static_power_uw(const config::head_config& c)
{
    const head_area a = area_of_head(c);
    const sub_tile_area& t = a.sub_tile;
    const double n = a.sub_tiles;
    return {{"qk", static_power_uw(c, n * (t.k_cells + t.pulse_generators + t.c2p))},
            {"pv", static_power_uw(c, n * (t.v_cells + t.readout + t.counters))},
            {"dac", static_power_uw(c, n * (t.k_dacs + t.v_dacs))},
            {"digital", static_power_uw(c, a.adder_tree + a.control)}};
}

double static_energy_aj(double power_uw, double time_ns)
{
    return power_uw * time_ns * aj_per_fj;
}

double control_active_ns(const config::head_config& c)
{
    const phase_cycles cycles = config::head_phase_cycles(c);
    return static_cast<double>(cycles.write + cycles.readout.total() + cycles.digital.total()) * c.timing.clock_period_ns;
}

double worst_refresh_ns(const config::head_config& c)
{
    if (!c.refresh.enabled)
        return 0;
    // A sub-tile refreshes its stale lines one after the other (the sub-tiles in parallel) and the
    // control is clocked meanwhile. Each line comes due once per refresh.age_ns; the ring writes a
    // sub-tile's lines on consecutive tokens, so one token finds at most ceil(L * period / age) of them due.
    const double l = c.array.tokens;
    const double due = std::min(l, std::ceil(l * c.timing.token_period_ns / c.refresh.age_ns));
    return due * static_cast<double>(config::head_phase_cycles(c).write) * c.timing.clock_period_ns;
}

std::map<std::string, double> worst_case_head_pj(const config::head_config& c)
{
    const head_energy e = head_energy_of(c);
    const double n = c.sub_tiles(), l = c.array.tokens, d = c.head_dim, v = c.cell.read_v;
    const double cells = n * l * d;  // per array side at full window
    const double cell_top = e.read_unit_aj * (e.current.top - e.current.floor);
    // Every word line driven and every bit line precharged (both sides: n*l*d cells on each).
    const double lines =
        line_charge_aj(cells, c.lines.wl_ff_per_cell, v) + line_charge_aj(cells, c.lines.bl_ff_per_cell, v);
    const double conversions = c.readout.combine == combine_mode::digital_adders ? n * d : d;
    const double write_top = dac_write_aj(1, e.dac_conversion_aj, e.write_line_ff, c.cell.v_max, c.cell.storage_ff,
                                          c.cell.v_max, c.cell.v_max * c.cell.v_max);
    std::map<std::string, double> aj;
    aj["qk"] =
        cells * cell_top + lines + c2p_conversions_aj(n * l, c.c2p.conversion_pj, e.read_unit_aj, c.pulse.s_sat, n * l);
    aj["pv"] =
        cells * cell_top + lines +
        readout_conversions_aj(conversions, c.readout.conversion_pj, e.read_unit_aj, c.readout.scale, conversions) +
        counter_steps_aj(conversions * static_cast<double>(e.counter_steps), c.readout.counter_step_fj);
    aj["dac"] = 2 * d * write_top;
    // Refresh: every stored line is refreshed once per refresh.age_ns, at most once a token.
    const double refreshed_lines =
        c.refresh.enabled ? c.window * std::min(1.0, c.timing.token_period_ns / c.refresh.age_ns) : 0.0;
    aj["refresh"] = refreshed_lines * 2 * d * (cell_top + write_top);
    aj["digital"] = e.adders_aj + e.scaling_aj + e.routing_aj +
                    power_time_aj(c.digital.control_power_mw, control_active_ns(c) + worst_refresh_ns(c));
    for (const auto& [part, uw] : head_static_power_uw(c))
        aj[part] += static_energy_aj(uw, c.timing.token_period_ns);
    std::map<std::string, double> pj;
    double total = 0;
    for (const auto& [part, x] : aj) {
        pj[part] = x / aj_per_pj;
        total += x / aj_per_pj;
    }
    pj["total"] = total;
    return pj;
}

}  // namespace gcasim::device
