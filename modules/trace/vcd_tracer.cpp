#include "trace/vcd_tracer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

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
    : file_(file), vcd_(file_.stream(), "1 ps"), traced_head_(traced_head), traced_tile_(traced_tile), cycles_(cycles),
      clock_(clock), token_id_(0), phase_id_(0), write_slot_id_(0), counter_id_(0), adder_stage_id_(0), active_id_(0),
      phase_flag_ids_(), busy_ids_(), q_ids_(), phi_ids_(), changes_(), ordered_(), instants_(), order_(), keys_(),
      slots_(), slot_shift_(0), recent_(none)
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
    index_instants(0);
}

void vcd_tracer::record(const sc_time& t, int id, std::uint64_t value)
{
    const std::uint64_t time_ps = t.value();  // value(): in the time resolution, 1 ps
    if (recent_ == none || instants_[static_cast<std::size_t>(recent_)].time_ps != time_ps)
        recent_ = instant_at(time_ps);
    append(recent_, id, value);
}

int vcd_tracer::probe_instant(std::uint64_t time_ps)
{
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = slot_of(time_ps);; s = (s + 1) & mask) {
        const int entry = slots_[s];
        if (entry == 0) {
            instants_.push_back({time_ps, 0});
            slots_[s] = static_cast<int>(instants_.size());
            if (2 * instants_.size() > slots_.size())
                index_instants(instants_.size());
            return static_cast<int>(instants_.size()) - 1;
        }
        if (instants_[static_cast<std::size_t>(entry - 1)].time_ps == time_ps)
            return entry - 1;
    }
}

void vcd_tracer::index_instants(std::size_t count)
{
    int bits = 8;
    while ((std::size_t{1} << bits) < 4 * count)
        ++bits;
    slots_.assign(std::size_t{1} << bits, 0);
    slot_shift_ = 64 - bits;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t s = slot_of(instants_[i].time_ps);
        while (slots_[s] != 0)
            s = (s + 1) & mask;
        slots_[s] = static_cast<int>(i) + 1;
    }
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
    const sc_time stage_time =
        static_cast<double>(cycles_.digital.combine / static_cast<device::cycle_count>(stages)) * clock_;
    for (int stage = 1; stage <= stages; ++stage)
        record(r.start + static_cast<double>(stage - 1) * stage_time, adder_stage_id_,
               static_cast<std::uint64_t>(stage));
    record(r.start + static_cast<double>(stages) * stage_time, adder_stage_id_, 0);
}

void vcd_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.tile != traced_tile_)
        return;
    const std::vector<int>& ids = r.kind == phase::qk ? q_ids_ : phi_ids_;
    const int start = instant_at(r.start.value());
    if (r.kind == phase::qk)
        append(start, active_id_, r.active_lines);
    // The widths are quantized (q_levels; phi on the clock grid), so the pulses end on few
    // instants: a small table by width keeps each width's end, and most pulses neither turn their
    // width into a time nor look the instant up.
    struct width_end {
        double width;
        int instant;
    };
    std::array<width_end, 64> ends;
    ends.fill({-1.0, none});
    const std::size_t count = std::min(r.count, ids.size());
    for (std::size_t i = 0; i < count; ++i) {
        const double width = r.widths[i];
        if (width <= 0.0)
            continue;
        std::uint64_t bits;
        std::memcpy(&bits, &width, sizeof bits);
        width_end& end = ends[(bits * 0x9e3779b97f4a7c15u) >> 58];
        if (end.width != width)
            end = {width, instant_at((r.start + width * r.t_max).value())};
        append(start, ids[i], 1);
        append(end.instant, ids[i], 0);  // at the start too where the pulse is shorter than 1 ps
    }
    recent_ = none;
}

void vcd_tracer::sort_instants()
{
    order_.resize(instants_.size());
    std::uint64_t earliest = UINT64_MAX, latest = 0;
    for (const instant& at : instants_) {
        earliest = std::min(earliest, at.time_ps);
        latest = std::max(latest, at.time_ps);
    }
    constexpr int index_bits = 20;
    if (instants_.size() <= (std::size_t{1} << index_bits) &&
        latest - earliest < (std::uint64_t{1} << (64 - index_bits))) {
        // One integer per instant, its time above its index: a plain sort of integers.
        keys_.resize(instants_.size());
        for (std::size_t k = 0; k < keys_.size(); ++k)
            keys_[k] = (instants_[k].time_ps - earliest) << index_bits | k;
        std::sort(keys_.begin(), keys_.end());
        for (std::size_t k = 0; k < keys_.size(); ++k)
            order_[k] = static_cast<int>(keys_[k] & ((std::uint64_t{1} << index_bits) - 1));
        return;
    }
    for (std::size_t k = 0; k < order_.size(); ++k)
        order_[k] = static_cast<int>(k);
    std::sort(order_.begin(), order_.end(), [this](int a, int b) {
        return instants_[static_cast<std::size_t>(a)].time_ps < instants_[static_cast<std::size_t>(b)].time_ps;
    });
}

void vcd_tracer::flush(std::uint64_t until_ps)
{
    sort_instants();
    // Each instant's place in ordered_, then the changes into their places, in the order recorded.
    std::size_t place = 0;
    for (const int k : order_) {
        const std::size_t count = instants_[static_cast<std::size_t>(k)].changes;
        instants_[static_cast<std::size_t>(k)].changes = place;
        place += count;
    }
    ordered_.resize(changes_.size());
    for (const change& c : changes_)
        ordered_[instants_[static_cast<std::size_t>(c.instant)].changes++] = c.value;
    // Now each instant's changes end where the next instant's begin.
    std::size_t begin = 0, done = 0;
    for (; done < order_.size(); ++done) {
        const instant& at = instants_[static_cast<std::size_t>(order_[done])];
        if (at.time_ps > until_ps)
            break;
        vcd_.instant(at.time_ps, ordered_.data() + begin, at.changes - begin);
        begin = at.changes;
    }
    recent_ = none;
    if (done == order_.size()) {
        instants_.clear();
        changes_.clear();
        std::fill(slots_.begin(), slots_.end(), 0);
        return;
    }
    // Changes later than until_ps (a head already in the next token) stay, recorded anew.
    std::vector<instant> later;
    for (std::size_t k = done; k < order_.size(); ++k)
        later.push_back(instants_[static_cast<std::size_t>(order_[k])]);
    instants_.clear();
    changes_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
    for (const instant& at : later) {
        const int k = instant_at(at.time_ps);
        for (; begin < at.changes; ++begin)
            append(k, ordered_[begin].id, ordered_[begin].value);
    }
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
