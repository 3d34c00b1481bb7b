#include "trace/timeline_tracer.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace gcasim {

using namespace sc_core;

namespace {
constexpr int heads_pid = 1, tiles_pid = 2;

/// Microseconds (the trace-event unit) with picosecond resolution.
std::string micros(const sc_time& t)
{
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.6f", t.to_seconds() * 1e6);
    return buffer;
}
}  // namespace

timeline_tracer::timeline_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head,
                                 std::size_t tiles, const device::phase_cycles& cycles)
    : file_(file), traced_head_(traced_head), cycles_(cycles), first_(true)
{
    file_.stream() << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    metadata("process_name", heads_pid, 0, "gcasim heads");
    for (std::size_t h = 0; h < heads; ++h)
        metadata("thread_name", heads_pid, h, "head " + std::to_string(h));
    metadata("process_name", tiles_pid, 0, "head " + std::to_string(traced_head) + " sub-tiles");
    for (std::size_t n = 0; n < tiles; ++n)
        metadata("thread_name", tiles_pid, n, "sub-tile " + std::to_string(n));
}

void timeline_tracer::metadata(const char* kind, int pid, std::size_t tid, const std::string& name)
{
    file_.stream() << (first_ ? "" : ",\n") << "{\"name\":\"" << kind << "\",\"ph\":\"M\",\"pid\":" << pid
                   << ",\"tid\":" << tid << ",\"args\":{\"name\":\"" << name << "\"}}";
    first_ = false;
}

void timeline_tracer::slice(const char* name, int pid, std::size_t tid, const sc_time& start,
                            const sc_time& duration, const std::string& args)
{
    file_.stream() << (first_ ? "" : ",\n") << "{\"name\":\"" << name << "\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":"
                   << micros(start) << ",\"dur\":" << micros(duration) << ",\"pid\":" << pid << ",\"tid\":" << tid
                   << ",\"args\":{" << args << "}}";
    first_ = false;
}

std::string timeline_tracer::phase_args(const phase_record& r) const
{
    const auto arg = [](const char* name, std::uint64_t value) {
        return std::string(",\"") + name + "\":" + std::to_string(value);
    };
    std::string args = "\"token\":" + std::to_string(r.token) + arg("cycles", r.cycles);
    if (r.kind == phase::readout)
        args += arg("sign_cycles", cycles_.readout.sign) + arg("counter_steps", cycles_.readout.counter_steps);
    else if (r.kind == phase::digital)
        args += arg("adder_stages", static_cast<std::uint64_t>(cycles_.digital.adder_stages)) +
                arg("scale_cycles", cycles_.digital.scale) + arg("routing_cycles", cycles_.digital.routing);
    return args;
}

void timeline_tracer::on_phase(const phase_record& r)
{
    slice(phase_name(r.kind), heads_pid, r.head, r.start, r.duration, phase_args(r));
}

void timeline_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.active_lines == 0)
        return;
    slice(r.kind == phase::qk ? "K read" : "V read", tiles_pid, r.tile, r.start, r.t_max,
          "\"visible_keys\":" + std::to_string(r.active_lines));
}

void timeline_tracer::finish()
{
    file_.stream() << "\n]}\n";
}

}  // namespace gcasim
