#include "trace/timeline_tracer.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace gcasim {

using namespace sc_core;

namespace {
constexpr int heads_pid = 1, tiles_pid = 2;
}  // namespace

timeline_tracer::timeline_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head,
                                 std::size_t tiles, const device::phase_cycles& cycles)
    : text_(file.stream()), traced_head_(traced_head), cycles_(cycles), first_(true)
{
    text_.put("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    metadata("process_name", heads_pid, 0, "gcasim heads");
    for (std::size_t h = 0; h < heads; ++h)
        metadata("thread_name", heads_pid, h, "head " + std::to_string(h));
    metadata("process_name", tiles_pid, 0, "head " + std::to_string(traced_head) + " sub-tiles");
    for (std::size_t n = 0; n < tiles; ++n)
        metadata("thread_name", tiles_pid, n, "sub-tile " + std::to_string(n));
}

void timeline_tracer::separate()
{
    if (!first_)
        text_.put(",\n");
    first_ = false;
}

void timeline_tracer::metadata(const char* kind, int pid, std::size_t tid, const std::string& name)
{
    separate();
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

void timeline_tracer::begin_slice(std::string_view name, int pid, std::size_t tid, const sc_time& start,
                                  const sc_time& duration)
{
    // One claim for the whole head of the slice: its fixed text, the name and five numbers.
    char* at = text_.claim(name.size() + 80 + 2 * text_buffer::max_micros_chars + 3 * 20);
    if (!first_)
        at = text_buffer::write_text(at, ",\n");
    first_ = false;
    at = text_buffer::write_text(at, "{\"name\":\"");
    at = text_buffer::write_text(at, name);
    at = text_buffer::write_text(at, "\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":");
    at = text_buffer::write_micros(at, start.value());  // value(): in the time resolution, 1 ps
    at = text_buffer::write_text(at, ",\"dur\":");
    at = text_buffer::write_micros(at, duration.value());
    at = text_buffer::write_text(at, ",\"pid\":");
    at = text_buffer::write_decimal(at, static_cast<std::uint64_t>(pid));
    at = text_buffer::write_text(at, ",\"tid\":");
    at = text_buffer::write_decimal(at, tid);
    at = text_buffer::write_text(at, ",\"args\":{");
    text_.commit(at);
}

void timeline_tracer::end_slice()
{
    text_.put(std::string_view("}}"));
    text_.end_record();
}

void timeline_tracer::arg(std::string_view name, std::uint64_t value, bool first)
{
    char* at = text_.claim(name.size() + 24);
    at = text_buffer::write_text(at, first ? std::string_view("\"") : std::string_view(",\""));
    at = text_buffer::write_text(at, name);
    at = text_buffer::write_text(at, "\":");
    text_.commit(text_buffer::write_decimal(at, value));
}

void timeline_tracer::on_phase(const phase_record& r)
{
    begin_slice(phase_name(r.kind), heads_pid, r.head, r.start, r.duration);
    arg("token", r.token, true);
    arg("cycles", r.cycles);
    if (r.kind == phase::readout) {
        arg("sign_cycles", cycles_.readout.sign);
        arg("counter_steps", cycles_.readout.counter_steps);
    } else if (r.kind == phase::digital) {
        arg("adder_stages", static_cast<std::uint64_t>(cycles_.digital.adder_stages));
        arg("scale_cycles", cycles_.digital.scale);
        arg("routing_cycles", cycles_.digital.routing);
    }
    end_slice();
}

void timeline_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.active_lines == 0)
        return;
    begin_slice(r.kind == phase::qk ? "K read" : "V read", tiles_pid, r.tile, r.start, r.t_max);
    arg("visible_keys", r.active_lines, true);
    end_slice();
}

void timeline_tracer::finish()
{
    text_.put("\n]}\n");
    text_.flush();
}

}  // namespace gcasim
