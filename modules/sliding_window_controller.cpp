#include "sliding_window_controller.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "device/circuit_energy.h"
#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;

namespace {

/// The controller's parameters, checked against what the head can be (util/param_check.h).
const sliding_window_controller::params& checked(const sliding_window_controller::params& p, const sc_module& self)
{
    require_param(p.window >= 1, self, "window", p.window, "must be >= 1");
    require_param(p.array_tokens >= 1, self, "array.tokens", p.array_tokens, "must be >= 1");
    require_param(p.sub_tiles * p.array_tokens >= p.window, self, "window", p.window,
                  "must fit in the ring of " + std::to_string(p.sub_tiles) + " sub-tiles x array.tokens " +
                      std::to_string(p.array_tokens));
    require_param(p.width >= 1, self, "head_dim", p.width, "must be >= 1");
    require_param(p.converted_size == p.sub_tiles * p.width || p.converted_size == p.width, self,
                  "readout.combine (converted values)", p.converted_size, "must be sub-tiles x head_dim or head_dim");
    require_param(p.token_period > SC_ZERO_TIME, self, "timing.token_period_ns", p.token_period, "must be > 0");
    require_param(p.clock > SC_ZERO_TIME, self, "timing.clock_period_ns", p.clock, "must be > 0");
    require_param(p.q_levels == 0 || p.q_levels >= 2, self, "quant.q_levels", p.q_levels,
                  "must be >= 2, or 0 for continuous pulses");
    require_param(p.t_max > SC_ZERO_TIME, self, "pulse.t_max_ns", p.t_max, "must be > 0");
    require_param(!p.refresh || p.refresh_age > SC_ZERO_TIME, self, "refresh.age_ns", p.refresh_age,
                  "must be > 0 with refresh.enabled");
    require_param(p.control_power_mw >= 0, self, "digital.control_power_mw", p.control_power_mw, "must be >= 0");
    require_param(p.control_static_uw >= 0, self, "process.leakage_uw_per_mm2 (control)", p.control_static_uw,
                  "must be >= 0");
    return p;
}

}  // namespace

sliding_window_controller::sliding_window_controller(const sc_module_name& name, const params& p,
                                                     const token_stream& input, compute_pool* pool)
    : sliding_window_controller(name, p, std::make_unique<preloaded_source>(input, p.token_period), nullptr, pool)
{
}

sliding_window_controller::sliding_window_controller(const sc_module_name& name, const params& p,
                                                     token_source& source, compute_pool* pool)
    : sliding_window_controller(name, p, nullptr, &source, pool)
{
}

sliding_window_controller::sliding_window_controller(const sc_module_name& name, const params& p,
                                                     std::unique_ptr<token_source> owned, token_source* source,
                                                     compute_pool* pool)
    : sc_module(name), k_write_socket("k_write_socket"), v_write_socket("v_write_socket"),
      query_socket("query_socket"), value_socket("value_socket"),
      convert_socket("convert_socket"), combine_socket("combine_socket"), params_(checked(p, *this)), clock_{p.clock},
      lane_(pool ? std::make_unique<compute_pool::lane>(*pool) : nullptr),
      owned_source_(std::move(owned)), input_(source ? *source : *owned_source_),
      observers_(), monitors_(), traced_tile_(p.sub_tiles, 0), pulse_dac_(0.0, 1.0, p.q_levels),
      phase_(phase::idle), tokens_done_(0), late_tokens_(0), control_aj_(0), current_token_(0), current_slot_(0),
      sequence_start_(0), phase_times_(), gp_(),
      ext_(new analog_payload), query_(p.width), write_buffer_(p.width),
      slot_token_(p.sub_tiles * p.array_tokens, -1), slot_written_at_(p.sub_tiles * p.array_tokens, SC_ZERO_TIME),
      visible_(p.sub_tiles * p.array_tokens, 0),
      scores_(p.sub_tiles * p.array_tokens, 0.0), pulses_(p.sub_tiles * p.array_tokens, 0.0),
      charges_(p.sub_tiles * p.width, 0.0), converted_(p.converted_size, 0.0), output_(p.width, 0.0)
{
    if (input_.dim() != p.width)
        SC_REPORT_ERROR("gcasim/controller", (std::string(name) + ": input dimension " +
                                              std::to_string(input_.dim()) + " differs from the head's " +
                                              std::to_string(p.width)).c_str());
    gp_.set_extension(ext_);
    SC_THREAD(run);
}

void sliding_window_controller::add_monitor(phase_monitor* monitor, std::vector<std::size_t> traced_tiles)
{
    monitors_.push_back(monitor);
    for (std::size_t tile : traced_tiles)
        if (tile < traced_tile_.size())
            traced_tile_[tile] = 1;
}

void sliding_window_controller::run()
{
    for (std::size_t t = 0; input_.wait_for_token(t); ++t) {
        const sc_time start = input_.release_time(t);
        if (start > sc_time_stamp())
            wait(start - sc_time_stamp());
        else if (start < sc_time_stamp())
            ++late_tokens_;
        if (input_.starts_sequence(t))
            start_sequence(t);
        process_token(t);
    }
    phase_ = phase::idle;
}

void sliding_window_controller::start_sequence(std::size_t t)
{
    // An empty KV cache: every slot is masked until rewritten; the new sequence fills the ring from slot 0.
    std::fill(slot_token_.begin(), slot_token_.end(), -1);
    std::fill(visible_.begin(), visible_.end(), std::uint8_t{0});
    sequence_start_ = t;
}

void sliding_window_controller::process_token(std::size_t t)
{
    const sc_time start = sc_time_stamp();
    current_token_ = t;
    current_slot_ = (t - sequence_start_) % slot_token_.size();
    phase_times_ = token_phase_times{};
    enter(phase::write, write_token(t));
    enter(phase::qk, read_keys(t));
    enter(phase::pv, drive_values());
    enter(phase::readout, read_out());
    enter(phase::digital, combine());
    const sc_time output_ready = sc_time_stamp();
    if (params_.refresh) {
        const sc_time refresh_time = refresh_stale(t);
        if (refresh_time > SC_ZERO_TIME)
            enter(phase::refresh, refresh_time);
    }
    phase_ = phase::idle;
    ++tokens_done_;
    spend(control_aj_, device::power_time_aj(params_.control_power_mw, clocked_ns(phase_times_)));
    const token_result result{params_.head_index, t,      start,   output_ready, phase_times_, slot_token_,
                              visible_,           scores_, pulses_, output_};
    for (token_observer* observer : observers_)
        observer->on_token(result);
}

void sliding_window_controller::enter(phase p, const sc_time& duration)
{
    phase_ = p;
    phase_time(p) = duration;
    if (!monitors_.empty()) {
        const phase_record record{params_.head_index, current_token_,   p, sc_time_stamp(), duration,
                                  clock_.cycles_in(duration), current_slot_};
        for (phase_monitor* monitor : monitors_)
            monitor->on_phase(record);
    }
    wait(duration);
}

sc_time& sliding_window_controller::phase_time(phase p)
{
    switch (p) {
    case phase::write: return phase_times_.write;
    case phase::qk: return phase_times_.qk;
    case phase::pv: return phase_times_.pv;
    case phase::readout: return phase_times_.readout;
    case phase::digital: return phase_times_.digital;
    default: return phase_times_.refresh;
    }
}

void sliding_window_controller::report_pulses(phase p, std::size_t tile, const double* widths, std::size_t count)
{
    if (monitors_.empty() || !traced_tile_[tile])
        return;
    const std::uint8_t* visible = &visible_[tile * params_.array_tokens];
    const std::size_t active = static_cast<std::size_t>(std::count(visible, visible + params_.array_tokens, 1));
    // The pulses start with the phase, which begins once the current one (write or qk) has ended.
    for (phase_monitor* monitor : monitors_)
        monitor->on_pulses({params_.head_index, tile, current_token_, p, sc_time_stamp(), params_.t_max, widths,
                            count, active});
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
    const std::size_t slot = current_slot_;
    const std::size_t tile = slot / params_.array_tokens, line = slot % params_.array_tokens;
    sc_time k_delay = SC_ZERO_TIME, v_delay = SC_ZERO_TIME;
    ext_->input = nullptr;
    ext_->input_size = 0;
    ext_->line_enabled = nullptr;
    ext_->defer = nullptr;
    std::copy_n(input_.k_row(t), params_.width, write_buffer_.begin());
    set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, write_buffer_.data(), params_.width);
    transport(*k_write_socket[tile], gp_, k_delay, "K write", tile);
    std::copy_n(input_.v_row(t), params_.width, write_buffer_.begin());
    set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, write_buffer_.data(), params_.width);
    transport(*v_write_socket[tile], gp_, v_delay, "V write", tile);
    slot_token_[slot] = static_cast<long>(t);
    const sc_time phase_time = std::max(k_delay, v_delay);  // K and V arrays are written in parallel
    slot_written_at_[slot] = sc_time_stamp() + phase_time;
    return phase_time;
}

sc_time sliding_window_controller::read_keys(std::size_t t)
{
    // Query pulses: clamp to [0,1] of T_max, then the pulse generator's steps.
    const double* q = input_.q_row(t);
    for (std::size_t d = 0; d < params_.width; ++d)
        query_[d] = pulse_dac_(q[d]);
    // A token changes the visible slots by two: its own enters the window, the one written `window`
    // tokens earlier leaves it (the ring holds at least `window` slots; start_sequence clears them).
    if (t >= sequence_start_ + params_.window)
        visible_[(t - params_.window - sequence_start_) % slot_token_.size()] = 0;
    visible_[current_slot_] = 1;
    sc_time phase_time = SC_ZERO_TIME;
    ext_->input = nullptr;
    ext_->input_size = 0;
    ext_->defer = lane_.get();  // joined at the start of pv, before the converters read S
    for (std::size_t tile = 0; tile < params_.sub_tiles; ++tile) {
        sc_time delay = SC_ZERO_TIME;
        ext_->line_enabled = &visible_[tile * params_.array_tokens];
        set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, 0, query_.data(), params_.width);
        transport(*query_socket[tile], gp_, delay, "query", tile);
        report_pulses(phase::qk, tile, query_.data(), params_.width);
        phase_time = std::max(phase_time, delay);
    }
    flush_deferred();
    ext_->line_enabled = nullptr;
    ext_->defer = nullptr;
    return phase_time;
}

sc_time sliding_window_controller::drive_values()
{
    join_deferred();  // the K MACs' scores are due now
    sc_time phase_time = SC_ZERO_TIME;
    ext_->input = nullptr;
    ext_->input_size = 0;
    ext_->line_enabled = nullptr;
    ext_->defer = lane_.get();  // joined at the start of readout, before the charges are read
    for (std::size_t tile = 0; tile < params_.sub_tiles; ++tile) {
        sc_time delay = SC_ZERO_TIME;
        set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, &charges_[tile * params_.width], params_.width);
        transport(*value_socket[tile], gp_, delay, "values", tile);
        probe_tile(tile);
        report_pulses(phase::pv, tile, &pulses_[tile * params_.array_tokens], params_.array_tokens);
        phase_time = std::max(phase_time, delay);
    }
    flush_deferred();
    ext_->defer = nullptr;
    return phase_time;
}

void sliding_window_controller::probe_tile(std::size_t tile)
{
    // S is final (joined at the start of pv), phi was converted in the value transaction.
    const std::size_t first = tile * params_.array_tokens;
    probe_line(tile, sub_tile_probe::column_charges, &scores_[first]);
    probe_line(tile, sub_tile_probe::row_pulses, &pulses_[first]);
}

void sliding_window_controller::probe_line(std::size_t tile, sub_tile_probe line, double* into)
{
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, static_cast<std::uint64_t>(line), into, params_.array_tokens);
    if (value_socket[tile]->transport_dbg(gp_) != params_.array_tokens * sizeof(double))
        SC_REPORT_ERROR("gcasim/controller", (std::string(name()) + ": debug read of sub-tile " +
                                              std::to_string(tile) + " failed: " + gp_.get_response_string())
                                                 .c_str());
}

sc_time sliding_window_controller::read_vector(tlm::tlm_fw_transport_if<>& target, std::vector<double>& in,
                                               std::vector<double>& out, const char* what)
{
    sc_time delay = SC_ZERO_TIME;
    ext_->input = in.data();
    ext_->input_size = in.size();
    ext_->line_enabled = nullptr;
    set_vector_payload(gp_, tlm::TLM_READ_COMMAND, 0, out.data(), out.size());
    transport(target, gp_, delay, what, 0);
    return delay;
}

sc_time sliding_window_controller::read_out()
{
    join_deferred();  // the V MACs' charges are due now
    return read_vector(*convert_socket[0], charges_, converted_, "readout conversion");
}

sc_time sliding_window_controller::combine()
{
    return read_vector(*combine_socket[0], converted_, output_, "combine");
}

sc_time sliding_window_controller::refresh_stale(std::size_t t)
{
    // Tokens still needed by the next query whose values are older than the threshold are sensed and
    // written back; a sub-tile refreshes its lines one after the other, the sub-tiles in parallel.
    sc_time phase_time = SC_ZERO_TIME;
    ext_->input = nullptr;
    ext_->input_size = 0;
    ext_->line_enabled = nullptr;
    ext_->refresh = true;
    for (std::size_t tile = 0; tile < params_.sub_tiles; ++tile) {
        sc_time k_delay = SC_ZERO_TIME, v_delay = SC_ZERO_TIME;
        for (std::size_t line = 0; line < params_.array_tokens; ++line) {
            const std::size_t slot = tile * params_.array_tokens + line;
            const long s = slot_token_[slot];
            const bool needed = s >= 0 && t + 1 - static_cast<std::size_t>(s) < params_.window;
            if (!needed || sc_time_stamp() - slot_written_at_[slot] < params_.refresh_age)
                continue;
            set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, nullptr, 0);
            transport(*k_write_socket[tile], gp_, k_delay, "K refresh", tile);
            set_vector_payload(gp_, tlm::TLM_WRITE_COMMAND, line, nullptr, 0);
            transport(*v_write_socket[tile], gp_, v_delay, "V refresh", tile);
            slot_written_at_[slot] = sc_time_stamp() + std::max(k_delay, v_delay);
        }
        phase_time = std::max({phase_time, k_delay, v_delay});
    }
    ext_->refresh = false;
    return phase_time;
}

}  // namespace gcasim
