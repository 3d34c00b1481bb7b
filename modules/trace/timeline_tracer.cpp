#include "trace/timeline_tracer.h"

#include <cstdint>
#include <string>

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

void timeline_tracer::begin_slice(const char* name, int pid, std::size_t tid, const sc_time& start,
                                  const sc_time& duration)
{
    separate();
    text_.put("{\"name\":\"");
    text_.put(name);
    text_.put("\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":");
    text_.put_micros(start.value());  // value(): in the time resolution, 1 ps
    text_.put(",\"dur\":");
    text_.put_micros(duration.value());
    text_.put(",\"pid\":");
    text_.put_decimal(static_cast<std::uint64_t>(pid));
    text_.put(",\"tid\":");
    text_.put_decimal(tid);
    text_.put(",\"args\":{");
}

void timeline_tracer::end_slice()
{
    text_.put("}}");
    text_.end_record();
}

void timeline_tracer::arg(const char* name, std::uint64_t value, bool first)
{
    text_.put(first ? "\"" : ",\"");
    text_.put(name);
    text_.put("\":");
    text_.put_decimal(value);
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
