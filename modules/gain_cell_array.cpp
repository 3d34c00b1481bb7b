#include "gain_cell_array.h"

#include <algorithm>
#include <cmath>

#include "analog_payload.h"

namespace gcasim {

using namespace sc_core;

gain_cell_array::gain_cell_array(const sc_module_name& name, const params& p)
    : sc_module(name), write_socket("write_socket"), mac_socket("mac_socket"), params_(p),
      dac_(0.0, p.v_max, p.dac_levels), cells_(p.token_lines, p.width, p.model,
             p.layout == orientation::token_per_column ? device::cell_lines::storage::by_cell
                                                       : device::cell_lines::storage::by_line),
      written_at_(p.token_lines, SC_ZERO_TIME),
      written_factor_(p.token_lines, 1.0), decay_ref_(SC_ZERO_TIME), decay_(p.token_lines, 1.0), stored_(p.width, 0.0),
      events_()
{
    write_socket.register_b_transport(this, &gain_cell_array::write_transport);
    mac_socket.register_b_transport(this, &gain_cell_array::mac_transport);
}

void gain_cell_array::write_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const std::uint64_t line = gp.get_address();
    if (gp.get_command() != tlm::TLM_WRITE_COMMAND || line >= params_.token_lines ||
        vector_size(gp) != params_.width) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const double* volts = vector_data(gp);
    for (std::size_t i = 0; i < params_.width; ++i)
        stored_[i] = dac_(volts[i]);
    cells_.write(line, stored_.data());
    delay += params_.write_time;
    written_at_[line] = sc_time_stamp() + delay;  // leakage starts when the write settles
    written_factor_[line] = std::exp(seconds(written_at_[line], decay_ref_) / params_.tau.to_seconds());
    events_.cells_written += params_.width;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

double gain_cell_array::seconds(const sc_time& a, const sc_time& b)
{
    // Signed a - b in seconds, from the integer time values (sc_time itself is unsigned).
    const double resolution = sc_get_time_resolution().to_seconds();
    return a >= b ? static_cast<double>((a - b).value()) * resolution : -static_cast<double>((b - a).value()) * resolution;
}

void gain_cell_array::update_decay(const sc_time& now)
{
    const double tau = params_.tau.to_seconds();
    if (seconds(now, decay_ref_) > 32.0 * tau) {  // re-base before exp(-(now - ref)/tau) underflows
        decay_ref_ = now;
        for (std::size_t line = 0; line < params_.token_lines; ++line)
            written_factor_[line] = std::exp(seconds(written_at_[line], now) / tau);
    }
    const double now_factor = std::exp(-seconds(now, decay_ref_) / tau);
    for (std::size_t line = 0; line < params_.token_lines; ++line)
        decay_[line] = now_factor * written_factor_[line];
}

void gain_cell_array::mac_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    const bool per_column = params_.layout == orientation::token_per_column;
    const std::size_t inputs = per_column ? params_.width : params_.token_lines;
    const std::size_t outputs = per_column ? params_.token_lines : params_.width;
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != inputs ||
        vector_size(gp) != outputs) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const sc_time now = sc_time_stamp() + delay;
    if (params_.model.leak() != device::leakage_form::none)
        update_decay(now);
    if (per_column)
        cells_.mac_per_line(in->input, decay_.data(), in->line_enabled, vector_data(gp));
    else
        cells_.mac_per_width(in->input, decay_.data(), vector_data(gp));
    // Energy: every enabled token line is read during the phase, whatever its pulse widths.
    std::size_t active_lines = params_.token_lines;
    if (in->line_enabled)
        active_lines = static_cast<std::size_t>(
            std::count(in->line_enabled, in->line_enabled + params_.token_lines, std::uint8_t{1}));
    events_.cells_read += active_lines * params_.width;
    ++events_.macs;
    delay += params_.read_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
