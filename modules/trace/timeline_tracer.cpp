#include "trace/timeline_tracer.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gcasim {

using namespace sc_core;

namespace {
constexpr int heads_pid = 1, tiles_pid = 2;
}  // namespace

timeline_tracer::timeline_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head, std::size_t tiles,
                                 const device::phase_cycles& cycles)
    : text_(file.stream()), traced_head_(traced_head), first_(true), phase_openings_(), phase_closings_(),
      k_read_(opening("K read")), v_read_(opening("V read")), head_tracks_(), tile_tracks_()
{
    text_.put("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    metadata("process_name", heads_pid, 0, "gcasim heads");
    for (std::size_t h = 0; h < heads; ++h) {
        metadata("thread_name", heads_pid, h, "head " + std::to_string(h));
        head_tracks_.push_back(track(heads_pid, h));
    }
    metadata("process_name", tiles_pid, 0, "head " + std::to_string(traced_head) + " sub-tiles");
    for (std::size_t n = 0; n < tiles; ++n) {
        metadata("thread_name", tiles_pid, n, "sub-tile " + std::to_string(n));
        tile_tracks_.push_back(track(tiles_pid, n));
    }
    for (std::size_t p = 0; p < phase_openings_.size(); ++p) {
        const phase kind = static_cast<phase>(p);
        phase_openings_[p] = opening(phase_name(kind));
        std::string closing;
        if (kind == phase::readout)
            closing = ",\"sign_cycles\":" + std::to_string(cycles.readout.sign) +
                      ",\"counter_steps\":" + std::to_string(cycles.readout.counter_steps);
        else if (kind == phase::digital)
            closing = ",\"adder_stages\":" + std::to_string(cycles.digital.adder_stages) +
                      ",\"scale_cycles\":" + std::to_string(cycles.digital.scale) +
                      ",\"routing_cycles\":" + std::to_string(cycles.digital.routing);
        phase_closings_[p] = make_snippet(closing + "}}");
    }
}

timeline_tracer::snippet timeline_tracer::make_snippet(const std::string& text)
{
    snippet s;
    if (text.size() > s.text.size())
        throw std::logic_error("timeline_tracer: fixed text longer than " + std::to_string(s.text.size()) + ": " +
                               text);
    std::memcpy(s.text.data(), text.data(), text.size());
    s.length = text.size();
    return s;
}

timeline_tracer::snippet timeline_tracer::opening(const char* name)
{
    return make_snippet(std::string(",\n{\"name\":\"") + name + "\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":");
}

timeline_tracer::snippet timeline_tracer::track(int pid, std::size_t tid)
{
    return make_snippet(",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"args\":{");
}

void timeline_tracer::metadata(const char* kind, int pid, std::size_t tid, const std::string& name)
{
    if (!first_)
        text_.put(",\n");
    first_ = false;
    text_.put("{\"name\":\"");
    text_.put(kind);
    text_.put("\",\"ph\":\"M\",\"pid\":");
    text_.put_decimal(static_cast<std::uint64_t>(pid));
    text_.put(",\"tid\":");
    text_.put_decimal(tid);
    text_.put(",\"args\":{\"name\":\"");
    text_.put(name);
    text_.put("\"}}");
}

char* timeline_tracer::slice_head(char* at, const snippet& opening, const sc_time& start, const sc_time& duration,
                                  const snippet& track)
{
    at = opening.write(at);
    at = text_buffer::write_micros(at, start.value());  // value(): in the time resolution, 1 ps
    std::memcpy(at, ",\"dur\":", 7);
    at = text_buffer::write_micros(at + 7, duration.value());
    return track.write(at);
}

void timeline_tracer::on_phase(const phase_record& r)
{
    const std::size_t kind = static_cast<std::size_t>(r.kind);
    char* at =
        slice_head(text_.claim(slice_room), phase_openings_.at(kind), r.start, r.duration, head_tracks_.at(r.head));
    std::memcpy(at, "\"token\":", 8);
    at = text_buffer::write_decimal(at + 8, r.token);
    std::memcpy(at, ",\"cycles\":", 10);
    at = text_buffer::write_decimal(at + 10, r.cycles);
    text_.commit(phase_closings_[kind].write(at));
    text_.end_record();
}

void timeline_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.active_lines == 0)
        return;
    char* at = slice_head(text_.claim(slice_room), r.kind == phase::qk ? k_read_ : v_read_, r.start, r.t_max,
                          tile_tracks_.at(r.tile));
    std::memcpy(at, "\"visible_keys\":", 15);
    at = text_buffer::write_decimal(at + 15, r.active_lines);
    std::memcpy(at, "}}", 2);
    text_.commit(at + 2);
    text_.end_record();
}

void timeline_tracer::finish()
{
    text_.put("\n]}\n");
    text_.flush();
}

}  // namespace gcasim
