#include "sliding_window_controller.h"

#include <algorithm>
#include <string>

namespace gcasim {

using namespace sc_core;

sliding_window_controller::sliding_window_controller(const sc_module_name& name, const params& p,
                                                     const token_stream& input, token_observer* observer)
    : sc_module(name), k_write_socket("k_write_socket"), v_write_socket("v_write_socket"),
      k_mac_socket("k_mac_socket"), v_mac_socket("v_mac_socket"), c2p_socket("c2p_socket"),
      convert_socket("convert_socket"), combine_socket("combine_socket"), params_(p), input_(input),
      observer_(observer), pulse_dac_(0.0, 1.0, p.q_levels), phase_(phase::idle), tokens_done_(0), gp_(),
      ext_(new analog_payload), query_(p.width), write_buffer_(p.width), slot_token_(p.sub_tiles * p.tile_tokens, -1),
      visible_(p.sub_tiles * p.tile_tokens, 0), scores_(p.sub_tiles * p.tile_tokens, 0.0),
      pulses_(p.sub_tiles * p.tile_tokens, 0.0), charges_(p.sub_tiles * p.width, 0.0),
      converted_(p.converted_size, 0.0), output_(p.width, 0.0)
{
    if (input.dim != p.width)
        SC_REPORT_ERROR("gcasim/controller", (std::string(name) + ": input dimension " +
                                              std::to_string(input.dim) + " differs from the head's " +
                                              std::to_string(p.width)).c_str());
    gp_.set_extension(ext_);
    SC_THREAD(run);
}

void sliding_window_controller::run()
{
    for (std::size_t t = 0; t < input_.tokens; ++t) {
        const sc_time start = static_cast<double>(t) * params_.token_period;
        if (start > sc_time_stamp())
            wait(start - sc_time_stamp());
        process_token(t);
    }
    phase_ = phase::idle;
}

void sliding_window_controller::process_token(std::size_t t)
{
    enter(phase::write, write_token(t));
    enter(phase::qk, read_keys(t));
    enter(phase::pv, drive_values());
    enter(phase::readout, read_out());
    enter(phase::digital, combine());
    ++tokens_done_;
    if (observer_)
        observer_->on_token({t, slot_token_, visible_, scores_, pulses_, output_});
}

void sliding_window_controller::enter(phase p, const sc_time& duration)
{
    phase_ = p;
    wait(duration);
}

void sliding_window_controller::transport(tlm::tlm_fw_transport_if<>& target, tlm::tlm_generic_payload& gp,
                                          sc_time& delay, const char* what, std::size_t tile)
{
    target.b_transport(gp, delay);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE)
        SC_REPORT_ERROR("gcasim/controller", (std::string(name()) + ": " + what + " to sub-tile " +
                                              std::to_string(tile) + " failed: " + gp.get_response_string())
                                                 .c_str());
}

sc_time sliding_window_controller::write_token(std::size_t t)
{
    const std::size_t slot = t % slot_token_.size();
    const std::size_t tile = slot / params_.tile_tokens, line = slot % params_.tile_tokens;
    sc_time k_delay = SC_ZERO_TIME, v_delay = SC_ZERO_TIME;
    ext_->input = nullptr;
    ext_->input_size = 0;
    ext_->line_enabled = nullptr;
    std::copy_n(input_.k_row(t), params_.width, write_buffer_.begin());
    set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, write_buffer_.data(), params_.width);
    transport(*k_write_socket[tile], gp_, k_delay, "K write", tile);
    std::copy_n(input_.v_row(t), params_.width, write_buffer_.begin());
    set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, write_buffer_.data(), params_.width);
    transport(*v_write_socket[tile], gp_, v_delay, "V write", tile);
    slot_token_[slot] = static_cast<long>(t);
    return std::max(k_delay, v_delay);  // K and V arrays are written in parallel
}

sc_time sliding_window_controller::read_keys(std::size_t t)
{
    // Query pulses: clamp to [0,1] of T_max, then the pulse generator's steps.
    const double* q = input_.q_row(t);
    for (std::size_t d = 0; d < params_.width; ++d)
        query_[d] = pulse_dac_(q[d]);
    for (std::size_t slot = 0; slot < slot_token_.size(); ++slot)
        visible_[slot] = slot_token_[slot] >= 0 &&
                         t - static_cast<std::size_t>(slot_token_[slot]) < params_.window;
    sc_time phase_time = SC_ZERO_TIME;
    for (std::size_t tile = 0; tile < params_.sub_tiles; ++tile) {
        sc_time delay = SC_ZERO_TIME;
        ext_->input = query_.data();
        ext_->input_size = params_.width;
        ext_->line_enabled = &visible_[tile * params_.tile_tokens];
        set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, &scores_[tile * params_.tile_tokens],
                           params_.tile_tokens);
        transport(*k_mac_socket[tile], gp_, delay, "K MAC", tile);
        phase_time = std::max(phase_time, delay);
    }
    return phase_time;
}

sc_time sliding_window_controller::drive_values()
{
    sc_time phase_time = SC_ZERO_TIME;
    for (std::size_t tile = 0; tile < params_.sub_tiles; ++tile) {
        sc_time delay = SC_ZERO_TIME;
        const std::size_t first = tile * params_.tile_tokens;
        ext_->input = &scores_[first];
        ext_->input_size = params_.tile_tokens;
        ext_->line_enabled = &visible_[first];
        set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, &pulses_[first], params_.tile_tokens);
        transport(*c2p_socket[tile], gp_, delay, "charge-to-pulse", tile);
        ext_->input = &pulses_[first];
        ext_->line_enabled = nullptr;  // a masked slot has no pulse
        set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, &charges_[tile * params_.width], params_.width);
        transport(*v_mac_socket[tile], gp_, delay, "V MAC", tile);
        phase_time = std::max(phase_time, delay);
    }
    return phase_time;
}

sc_time sliding_window_controller::read_out()
{
    sc_time delay = SC_ZERO_TIME;
    ext_->input = charges_.data();
    ext_->input_size = charges_.size();
    ext_->line_enabled = nullptr;
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, converted_.data(), converted_.size());
    transport(*convert_socket[0], gp_, delay, "readout conversion", 0);
    return delay;
}

sc_time sliding_window_controller::combine()
{
    sc_time delay = SC_ZERO_TIME;
    ext_->input = converted_.data();
    ext_->input_size = converted_.size();
    ext_->line_enabled = nullptr;
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, output_.data(), output_.size());
    transport(*combine_socket[0], gp_, delay, "combine", 0);
    return delay;
}

}  // namespace gcasim
