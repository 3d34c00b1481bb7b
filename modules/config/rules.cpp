#include "config/rules.h"

#include <string>

#include "config/head_timing.h"

namespace gcasim::config {

namespace {

std::string ns(double x)
{
    return format_number(x) + " ns";
}

}  // namespace

void check_head_rules(const head_config& h)
{
    if (h.cell.polarity == 0)
        throw config_error("config key 'cell.polarity': value 0 is not allowed; allowed: 1 or -1");
    const double phases_ns = head_phases_ns(h);
    if (phases_ns > h.timing.token_period_ns)
        throw config_error("config key 'timing.token_period_ns': value " + ns(h.timing.token_period_ns) +
                           " is shorter than the phases of one token (" + ns(phases_ns) + ": " +
                           std::to_string(head_phase_cycles(h).total()) + " cycles of " +
                           ns(h.timing.clock_period_ns) + "); allowed: >= the phases' time");
}

void check_trace_rules(const trace_config& trace, std::size_t heads, const head_config& head)
{
    if (trace.head >= heads)
        throw config_error("config key 'trace.head': value " + std::to_string(trace.head) +
                           " is out of range; allowed: 0 .. " + std::to_string(heads - 1) + " (heads)");
    if (trace.tile >= static_cast<std::size_t>(head.sub_tiles()))
        throw config_error("config key 'trace.tile': value " + std::to_string(trace.tile) +
                           " is out of range; allowed: 0 .. " + std::to_string(head.sub_tiles() - 1) +
                           " (sub-tiles of a head)");
}

void check_run_length(const head_config& head, std::size_t tokens)
{
    const double end_ns = static_cast<double>(tokens) * head.timing.token_period_ns;
    if (end_ns > 1e15)
        throw config_error("--tokens " + std::to_string(tokens) + " x timing.token_period_ns " +
                           format_number(head.timing.token_period_ns) +
                           " ns exceeds the simulated-time limit of 1e15 ns");
}

void check_attention_matrices(bool matrices, std::size_t tokens)
{
    if (matrices && tokens > 4096)
        throw config_error("config key 'output.attention_matrices': true needs --tokens <= 4096 (T x T "
                           "matrices), got " + std::to_string(tokens) + "; set it to false");
}

}  // namespace gcasim::config
