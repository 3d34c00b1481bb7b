#include "sub_tile.h"

#include "device/random.h"

namespace gcasim {

using namespace sc_core;

gain_cell_array::params sub_tile::array_params(const config::head_config& c, const config::energy_config& e,
                                               gain_cell_array::orientation layout, std::uint64_t seed,
                                               compute_pool* pool)
{
    gain_cell_array::params p;
    p.layout = layout;
    p.token_lines = c.array.tokens;
    p.width = c.head_dim;
    p.write_time = sc_time(c.timing.write_ns, SC_NS);
    p.read_time = sc_time(layout == gain_cell_array::orientation::token_per_column ? c.timing.qk_ns
                                                                                   : c.timing.pv_ns,
                          SC_NS);
    p.tau = sc_time(c.cell.leakage.tau_ns, SC_NS);
    p.model = device::cell_model(c.cell.nonlinearity, c.cell.leakage.model, c.cell.polarity);
    p.v_max = c.cell.v_max;
    p.dac_levels = c.quant.enabled ? c.quant.kv_levels : 0;
    p.seed = device::derive_seed(seed, layout == gain_cell_array::orientation::token_per_column ? 1 : 2);
    p.cell_variation = c.noise.cell_variation;
    p.tau_spread = c.noise.tau_spread;
    p.read_sigma = c.noise.read_sigma;
    p.dac_sigma = c.noise.dac_sigma;
    p.cell_read_pj = layout == gain_cell_array::orientation::token_per_column ? e.k_cell_read_pj : e.v_cell_read_pj;
    p.cell_write_pj = e.dac_write_pj;
    p.pool = pool;
    return p;
}

charge_to_pulse::params sub_tile::c2p_params(const config::head_config& c, const config::energy_config& e,
                                             std::uint64_t seed)
{
    charge_to_pulse::params p;
    p.converters = c.array.tokens;
    p.s_sat = c.pulse.s_sat;
    p.t_max = sc_time(c.pulse.t_max_ns, SC_NS);
    p.offset_sigma = c.noise.c2p_offset_sigma;
    p.seed = device::derive_seed(seed, 3);
    p.conversion_pj = e.c2p_conversion_pj;
    return p;
}

sub_tile::sub_tile(const sc_module_name& name, const config::head_config& c, const config::energy_config& e,
                   std::uint64_t seed, compute_pool* pool)
    : sc_module(name),
      k_array("k_array", array_params(c, e, gain_cell_array::orientation::token_per_column, seed, pool)),
      v_array("v_array", array_params(c, e, gain_cell_array::orientation::token_per_row, seed, pool)),
      c2p("c2p", c2p_params(c, e, seed))
{
}

}  // namespace gcasim
