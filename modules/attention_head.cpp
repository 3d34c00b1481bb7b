#include "attention_head.h"

#include <string>

#include "config/head_timing.h"
#include "control_clock.h"
#include "device/array_physics.h"
#include "device/circuit_area.h"
#include "device/circuit_energy.h"
#include "device/random.h"

namespace gcasim {

using namespace sc_core;

readout::params attention_head::readout_params(const config::head_config& c, std::size_t head_index)
{
    readout::params p;
    p.sub_tiles = c.sub_tiles();
    p.width = c.head_dim;
    p.combine = c.readout.combine;
    p.scale = c.readout.scale;
    p.counter_levels = c.quant.enabled ? c.quant.out_levels : 0;
    p.clip = c.quant.out_clip;
    const device::phase_cycles cycles = config::head_phase_cycles(c);
    const control_clock clock{sc_time(c.timing.clock_period_ns, SC_NS)};
    p.convert_time = clock(cycles.readout.total());
    p.combine_time = clock(cycles.digital.total());
    p.share_gain = device::charge_sharing_gain(c);
    p.offset_sigma = c.noise.counter_offset_sigma;
    p.seed = device::derive_seed(c.noise.seed, head_index, 1u << 20);
    const device::head_energy e = device::head_energy_of(c);
    const device::head_area area = device::area_of_head(c);
    p.circuit_levels = c.quant.out_levels;
    p.conversion_pj = c.readout.conversion_pj;
    p.read_unit_aj = e.read_unit_aj;
    p.counter_step_fj = c.readout.counter_step_fj;
    p.adders_aj = e.adders_aj;
    p.scaling_aj = e.scaling_aj;
    p.routing_aj = e.routing_aj;
    // One signed converter and counter per sub-tile and dimension (device/circuit_area.h).
    p.converters_static_uw = device::static_power_uw(c, area.sub_tiles * (area.sub_tile.readout + area.sub_tile.counters));
    p.adders_static_uw = device::static_power_uw(c, area.adder_tree);
    return p;
}

sliding_window_controller::params attention_head::controller_params(const config::head_config& c,
                                                                    std::size_t head_index)
{
    sliding_window_controller::params p;
    p.window = c.window;
    p.sub_tiles = c.sub_tiles();
    p.array_tokens = c.array.tokens;
    p.width = c.head_dim;
    p.converted_size = c.readout.combine == config::combine_mode::digital_adders ? p.sub_tiles * p.width : p.width;
    p.token_period = sc_time(c.timing.token_period_ns, SC_NS);
    p.clock = sc_time(c.timing.clock_period_ns, SC_NS);
    p.q_levels = c.quant.enabled ? c.quant.q_levels : 0;
    p.t_max = sc_time(c.pulse.t_max_ns, SC_NS);
    p.head_index = head_index;
    p.refresh = c.refresh.enabled;
    p.refresh_age = sc_time(c.refresh.age_ns, SC_NS);
    p.control_power_mw = c.digital.control_power_mw;
    p.control_static_uw = device::static_power_uw(c, device::area_of_head(c).control);
    return p;
}

attention_head::attention_head(const sc_module_name& name, const config::head_config& c,
                               const token_stream& input, std::size_t head_index,
                               compute_pool* pool)
    : sc_module(name), tiles(make_tiles(c, head_index)), out("readout", readout_params(c, head_index)),
      controller("controller", controller_params(c, head_index), input, pool), config_(c)
{
    bind_tiles();
}

attention_head::attention_head(const sc_module_name& name, const config::head_config& c,
                               token_source& source, std::size_t head_index,
                               compute_pool* pool)
    : sc_module(name), tiles(make_tiles(c, head_index)), out("readout", readout_params(c, head_index)),
      controller("controller", controller_params(c, head_index), source, pool), config_(c)
{
    bind_tiles();
}

std::vector<std::unique_ptr<sub_tile>> attention_head::make_tiles(const config::head_config& c,
                                                                  std::size_t head_index)
{
    std::vector<std::unique_ptr<sub_tile>> tiles;
    for (int n = 0; n < c.sub_tiles(); ++n)
        tiles.push_back(std::make_unique<sub_tile>(("tile_" + std::to_string(n)).c_str(), c,
                                                   device::derive_seed(c.noise.seed, head_index, n)));
    return tiles;
}

void attention_head::bind_tiles()
{
    for (auto& t : tiles) {
        sub_tile& tile = *t;
        controller.k_write_socket.bind(tile.k_write_socket);
        controller.v_write_socket.bind(tile.v_write_socket);
        controller.query_socket.bind(tile.query_socket);
        controller.value_socket.bind(tile.value_socket);
    }
    controller.convert_socket.bind(out.convert_socket);
    controller.combine_socket.bind(out.combine_socket);
}

}  // namespace gcasim
