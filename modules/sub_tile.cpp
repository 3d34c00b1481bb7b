#include "sub_tile.h"

#include <algorithm>

#include "config/head_timing.h"
#include "control_clock.h"
#include "device/array_physics.h"
#include "device/circuit_area.h"
#include "device/circuit_energy.h"
#include "device/random.h"

namespace gcasim {

using namespace sc_core;

gain_cell_array::params sub_tile::array_params(const config::head_config& c, gain_cell_array::orientation layout,
                                               std::uint64_t seed)
{
    gain_cell_array::params p;
    p.layout = layout;
    p.tokens = c.array.tokens;
    p.width = c.head_dim;
    const device::phase_cycles cycles = config::head_phase_cycles(c);
    const control_clock clock{sc_time(c.timing.clock_period_ns, SC_NS)};
    p.write_time = clock(cycles.write);
    p.read_time = clock(layout == gain_cell_array::orientation::token_per_column ? cycles.qk : cycles.pv);
    p.tau = sc_time(c.cell.leakage.tau_ns, SC_NS);
    p.model = device::cell_model(c.cell.nonlinearity, c.cell.leakage.model, c.cell.polarity);
    p.v_max = c.cell.v_max;
    p.kv_levels = c.quant.enabled ? c.quant.kv_levels : 0;
    p.precision = c.sim.precision;
    p.seed = device::derive_seed(seed, layout == gain_cell_array::orientation::token_per_column ? 1 : 2);
    p.cell_variation = c.noise.cell_variation;
    p.tau_spread = c.noise.tau_spread;
    p.read_sigma = c.noise.read_sigma;
    p.dac_sigma = c.noise.dac_sigma;
    const auto side = layout == gain_cell_array::orientation::token_per_column ? device::array_side::k
                                                                               : device::array_side::v;
    p.bit_line_gains = device::bit_line_gains(c, p.model, side);
    p.floor_read = p.model.read(0.0);
    const device::head_energy e = device::head_energy_of(c);
    const device::sub_tile_area area = device::area_of_sub_tile(c);
    const bool keys = layout == gain_cell_array::orientation::token_per_column;
    p.read_v = c.cell.read_v;
    p.read_unit_aj = e.read_unit_aj;
    p.wl_ff_per_cell = c.lines.wl_ff_per_cell;
    p.bl_ff_per_cell = c.lines.bl_ff_per_cell;
    p.dac_conversion_aj = e.dac_conversion_aj;
    p.write_line_ff = e.write_line_ff;
    p.storage_ff = c.cell.storage_ff;
    p.cells_static_uw = device::static_power_uw(c, keys ? area.k_cells + area.pulse_generators : area.v_cells);
    p.dacs_static_uw = device::static_power_uw(c, keys ? area.k_dacs : area.v_dacs);
    return p;
}

charge_to_pulse::params sub_tile::c2p_params(const config::head_config& c, std::uint64_t seed)
{
    charge_to_pulse::params p;
    p.tokens = c.array.tokens;
    p.s_sat = c.pulse.s_sat;
    p.t_max = sc_time(c.pulse.t_max_ns, SC_NS);
    p.offset_sigma = c.noise.c2p_offset_sigma;
    p.seed = device::derive_seed(seed, 3);
    p.conversion_pj = c.c2p.conversion_pj;
    p.read_unit_aj = device::head_energy_of(c).read_unit_aj;
    p.static_uw = device::static_power_uw(c, device::area_of_sub_tile(c).c2p);
    return p;
}

sub_tile::sub_tile(const sc_module_name& name, const config::head_config& c, std::uint64_t seed)
    : sc_module(name),
      k_array("k_array", array_params(c, gain_cell_array::orientation::token_per_column, seed)),
      c2p("c2p", c2p_params(c, seed)),
      v_array("v_array", array_params(c, gain_cell_array::orientation::token_per_row, seed)),
      k_write_socket("k_write_socket"), v_write_socket("v_write_socket"), query_socket("query_socket"),
      value_socket("value_socket"), k_mac_socket_("k_mac_socket"), c2p_socket_("c2p_socket"),
      v_mac_socket_("v_mac_socket"), token_lines_(static_cast<std::size_t>(c.array.tokens)), width_(c.head_dim), gp_(),
      ext_(new analog_payload), column_charges_(token_lines_, 0.0), row_pulses_(token_lines_, 0.0),
      line_enabled_(token_lines_, 1), lines_masked_(false)
{
    gp_.set_extension(ext_);
    k_write_socket.bind(k_array.write_socket);
    v_write_socket.bind(v_array.write_socket);
    k_mac_socket_.bind(k_array.mac_socket);
    c2p_socket_.bind(c2p.charge_socket);
    v_mac_socket_.bind(v_array.mac_socket);
    query_socket.register_b_transport(this, &sub_tile::query_transport);
    value_socket.register_b_transport(this, &sub_tile::value_transport);
    value_socket.register_transport_dbg(this, &sub_tile::probe);
}

bool sub_tile::forward(tlm_utils::simple_initiator_socket<sub_tile>& socket, tlm::tlm_generic_payload& outer,
                       sc_time& delay)
{
    socket->b_transport(gp_, delay);
    if (gp_.get_response_status() == tlm::TLM_OK_RESPONSE)
        return true;
    outer.set_response_status(gp_.get_response_status());
    return false;
}

void sub_tile::query_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    if (gp.get_command() != tlm::TLM_WRITE_COMMAND || vector_size(gp) != width_) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // The enables hold for the whole token: the converters and the V rows of masked lines stay off.
    lines_masked_ = in && in->line_enabled;
    if (lines_masked_)
        std::copy_n(in->line_enabled, token_lines_, line_enabled_.begin());
    ext_->input = vector_data(gp);
    ext_->input_size = width_;
    ext_->line_enabled = lines_masked_ ? line_enabled_.data() : nullptr;
    ext_->defer = in ? in->defer : nullptr;
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, column_charges_.data(), token_lines_);
    if (forward(k_mac_socket_, gp, delay))
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void sub_tile::value_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    if (gp.get_command() != tlm::TLM_READ_COMMAND || vector_size(gp) != width_) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // S -> phi, then phi on the V rows; the conversion and the V MAC are in series.
    ext_->input = column_charges_.data();
    ext_->input_size = token_lines_;
    ext_->line_enabled = lines_masked_ ? line_enabled_.data() : nullptr;
    ext_->defer = nullptr;  // the pulses are needed at once, by the V array
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, row_pulses_.data(), token_lines_);
    if (!forward(c2p_socket_, gp, delay))
        return;
    ext_->input = row_pulses_.data();  // masked lines carry no pulse (phi = 0)
    ext_->defer = in ? in->defer : nullptr;
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, vector_data(gp), width_);
    if (forward(v_mac_socket_, gp, delay))
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int sub_tile::probe(tlm::tlm_generic_payload& gp)
{
    const auto address = static_cast<sub_tile_probe>(gp.get_address());
    const std::vector<double>* line = address == sub_tile_probe::column_charges ? &column_charges_
                                      : address == sub_tile_probe::row_pulses   ? &row_pulses_
                                                                                : nullptr;
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !line || vector_size(gp) != line->size()) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return 0;
    }
    std::copy(line->begin(), line->end(), vector_data(gp));
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return gp.get_data_length();
}

}  // namespace gcasim
