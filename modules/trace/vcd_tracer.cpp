#include "trace/vcd_tracer.h"

#include <algorithm>
#include <cstdint>

namespace gcasim {

using namespace sc_core;

namespace {
constexpr phase traced_phases[] = {phase::write, phase::qk, phase::pv, phase::readout, phase::digital, phase::refresh};

/// Bits that hold 0 .. n.
int bits_for(std::uint64_t n)
{
    int bits = 1;
    while (bits < 64 && (n >> bits) != 0)
        ++bits;
    return bits;
}
}  // namespace

vcd_tracer::vcd_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head, std::size_t traced_tile,
                       std::size_t width, std::size_t tile_tokens, const device::phase_cycles& cycles,
                       const sc_time& clock)
    : file_(file), vcd_(file_.stream(), "1 ps"), traced_head_(traced_head), traced_tile_(traced_tile),
      cycles_(cycles), clock_(clock), token_id_(0), phase_id_(0), write_slot_id_(0), counter_id_(0),
      adder_stage_id_(0), active_id_(0), phase_flag_ids_(), busy_ids_(), q_ids_(), phi_ids_(), buffer_(),
      last_written_(), sequence_(0), generation_(0), last_phase_(phase::idle)
{
    vcd_.begin_scope("layer");
    token_id_ = vcd_.add_var("token", 32);
    phase_id_ = vcd_.add_var("phase", 3);  // 0 idle, 1 write, 2 qk, 3 pv, 4 readout, 5 digital, 6 refresh
    for (phase p : traced_phases)
        phase_flag_ids_.push_back(vcd_.add_var(std::string("phase_") + phase_name(p), 1));
    write_slot_id_ = vcd_.add_var("write_slot", 32);
    counter_id_ = vcd_.add_var("counter_steps", bits_for(cycles.readout.counter_steps));
    adder_stage_id_ = vcd_.add_var("adder_stage", bits_for(static_cast<std::uint64_t>(cycles.digital.adder_stages)));
    for (std::size_t h = 0; h < heads; ++h) {
        vcd_.begin_scope("head_" + std::to_string(h));
        busy_ids_.push_back(vcd_.add_var("busy", 1));
        if (h == traced_head) {
            vcd_.begin_scope("tile_" + std::to_string(traced_tile));
            active_id_ = vcd_.add_var("active_columns", 32);
            for (std::size_t d = 0; d < width; ++d)
                q_ids_.push_back(vcd_.add_var("q_pulse_" + std::to_string(d), 1));
            for (std::size_t c = 0; c < tile_tokens; ++c)
                phi_ids_.push_back(vcd_.add_var("phi_pulse_" + std::to_string(c), 1));
            vcd_.end_scope();
        }
        vcd_.end_scope();
    }
    vcd_.end_scope();
    vcd_.end_definitions();
    last_written_.assign(vcd_.variables(), 0);
}

void vcd_tracer::record(const sc_time& t, int id, std::uint64_t value)
{
    buffer_.push_back({t.value(), sequence_++, value, id, false});  // value(): in the time resolution, 1 ps
}

void vcd_tracer::on_phase(const phase_record& r)
{
    const sc_time end = r.start + r.duration;
    if (r.kind == phase::write || r.kind == phase::refresh)
        record(r.start, busy_ids_.at(r.head), 1);
    if (r.kind == phase::digital || r.kind == phase::refresh)
        record(end, busy_ids_.at(r.head), 0);
    if (r.head != 0)
        return;  // heads run in lockstep: the layer's signals follow head 0
    if (r.kind == phase::write) {
        record(r.start, token_id_, r.token);
        record(r.start, write_slot_id_, r.write_slot);
    }
    const int flag = phase_flag_ids_[static_cast<int>(r.kind) - 1];
    record(r.start, flag, 1);
    record(end, flag, 0);
    record(r.start, phase_id_, static_cast<std::uint64_t>(r.kind));
    if (r.kind == phase::digital || r.kind == phase::refresh)
        record(end, phase_id_, 0);
    if (r.kind == phase::readout)
        record_counter(r);
    else if (r.kind == phase::digital)
        record_adder_stages(r);
}

void vcd_tracer::record_counter(const phase_record& r)
{
    const sc_time counting = r.start + static_cast<double>(cycles_.readout.sign) * clock_;
    for (device::cycle_count step = 1; step <= cycles_.readout.counter_steps; ++step)
        record(counting + static_cast<double>(step - 1) * clock_, counter_id_, step);
    record(r.start + r.duration, counter_id_, 0);
}

void vcd_tracer::record_adder_stages(const phase_record& r)
{
    const int stages = cycles_.digital.adder_stages;
    if (stages == 0)
        return;
    const sc_time stage_time = static_cast<double>(cycles_.digital.combine / static_cast<device::cycle_count>(stages)) * clock_;
    for (int stage = 1; stage <= stages; ++stage)
        record(r.start + static_cast<double>(stage - 1) * stage_time, adder_stage_id_, static_cast<std::uint64_t>(stage));
    record(r.start + static_cast<double>(stages) * stage_time, adder_stage_id_, 0);
}

void vcd_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.tile != traced_tile_)
        return;
    const std::vector<int>& ids = r.kind == phase::qk ? q_ids_ : phi_ids_;
    if (r.kind == phase::qk)
        record(r.start, active_id_, r.active_lines);
    for (std::size_t i = 0; i < r.count && i < ids.size(); ++i) {
        if (r.widths[i] <= 0.0)
            continue;
        record(r.start, ids[i], 1);
        record(r.start + r.widths[i] * r.t_max, ids[i], 0);
    }
}

void vcd_tracer::flush(std::uint64_t until_ps)
{
    // In time order, changes at one instant in the order recorded (the sequence number makes the
    // sort stable without the temporary buffer std::stable_sort allocates).
    std::sort(buffer_.begin(), buffer_.end(), [](const change& a, const change& b) {
        return a.time_ps != b.time_ps ? a.time_ps < b.time_ps : a.sequence < b.sequence;
    });
    std::size_t done = 0;
    while (done < buffer_.size() && buffer_[done].time_ps <= until_ps) {
        std::size_t end = done + 1;
        while (end < buffer_.size() && buffer_[end].time_ps == buffer_[done].time_ps)
            ++end;
        write_instant(done, end);
        done = end;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(done));
}

void vcd_tracer::write_instant(std::size_t begin, std::size_t end)
{
    // Several changes of one signal at one instant: the last one holds. Walk back, keeping the
    // first change seen of each signal (marked by the instant's generation), then write forward.
    ++generation_;
    for (std::size_t i = end; i-- > begin;) {
        std::uint64_t& mark = last_written_[static_cast<std::size_t>(buffer_[i].id)];
        buffer_[i].superseded = mark == generation_;
        mark = generation_;
    }
    for (std::size_t i = begin; i < end; ++i)
        if (!buffer_[i].superseded)
            vcd_.change(buffer_[i].time_ps, buffer_[i].id, buffer_[i].value);
}

void vcd_tracer::on_token_closed(std::size_t, const sc_time& now)
{
    // Every head has finished the token, so nothing earlier than now can still be recorded; a head
    // that already began the next token (back-to-back tokens) may have recorded later changes.
    flush(now.value());
}

void vcd_tracer::finish()
{
    flush();
    vcd_.flush();
}

}  // namespace gcasim
