#include "trace/timeline_tracer.h"

#include <cstdio>

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
                                 std::size_t tiles)
    : file_(file), traced_head_(traced_head), first_(true)
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
                            const sc_time& duration, const char* arg_name, std::size_t arg)
{
    file_.stream() << (first_ ? "" : ",\n") << "{\"name\":\"" << name << "\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":"
                   << micros(start) << ",\"dur\":" << micros(duration) << ",\"pid\":" << pid << ",\"tid\":" << tid
                   << ",\"args\":{\"" << arg_name << "\":" << arg << "}}";
    first_ = false;
}

void timeline_tracer::on_phase(const phase_record& r)
{
    slice(phase_name(r.kind), heads_pid, r.head, r.start, r.duration, "token", r.token);
}

void timeline_tracer::on_pulses(const pulse_record& r)
{
    if (r.head != traced_head_ || r.active_lines == 0)
        return;
    slice(r.kind == phase::qk ? "K read" : "V read", tiles_pid, r.tile, r.start, r.t_max, "visible_keys",
          r.active_lines);
}

void timeline_tracer::finish()
{
    file_.stream() << "\n]}\n";
}

}  // namespace gcasim
