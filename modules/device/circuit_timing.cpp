#include "device/circuit_timing.h"

#include <cmath>

#include "device/quantizer.h"

namespace gcasim::device {

namespace {

/// ceil(log2 n) for n >= 1.
int ceil_log2(int n)
{
    int bits = 0;
    while (bits < 31 && (1 << bits) < n)
        ++bits;
    return bits;
}

}  // namespace

cycle_count cycles_covering(double t_ns, double clock_period_ns)
{
    const double cycles = std::ceil(t_ns / clock_period_ns - 1e-9);
    return cycles > 0 ? static_cast<cycle_count>(cycles) : 0;
}

double write_settle_ns(double dac_settle_ns, double write_tau_ns, int kv_levels)
{
    return dac_settle_ns + write_tau_ns * std::log(2.0 * kv_levels);
}

int counter_full_scale_steps(int out_levels, output_clip clip)
{
    if (clip == output_clip::counter)
        return (out_levels - 1) / 2;
    return static_cast<int>(round_half_even((out_levels - 1) / 2.0));
}

int adder_tree_stages(int inputs) { return ceil_log2(inputs); }

int output_bits(int out_levels, int sub_tiles, combine_mode combine)
{
    const int code_bits = ceil_log2(out_levels);
    return combine == combine_mode::digital_adders ? code_bits + ceil_log2(sub_tiles) : code_bits;
}

cycle_count routing_cycles(int head_dim, int bits, int bus_bits)
{
    const cycle_count payload = static_cast<cycle_count>(head_dim) * static_cast<cycle_count>(bits);
    return (payload + static_cast<cycle_count>(bus_bits) - 1) / static_cast<cycle_count>(bus_bits);
}

phase_cycles token_phase_cycles(const timing_circuit& c)
{
    const double clock = c.clock_period_ns;
    phase_cycles p;
    p.write = cycles_covering(write_settle_ns(c.dac_settle_ns, c.write_tau_ns, c.kv_levels) + c.write_line_settle_ns,
                              clock);
    p.qk = cycles_covering(c.t_max_ns + c.k_read_settle_ns, clock);
    p.pv = cycles_covering(c.t_max_ns + c.v_read_settle_ns, clock);
    p.readout.sign = static_cast<cycle_count>(c.sign_cycles);
    p.readout.counter_steps = static_cast<cycle_count>(counter_full_scale_steps(c.out_levels, c.out_clip));
    const bool adders = c.combine == combine_mode::digital_adders;
    p.digital.adder_stages = adders ? adder_tree_stages(c.sub_tiles) : 0;
    p.digital.combine = adders ? static_cast<cycle_count>(p.digital.adder_stages) * c.adder_stage_cycles : 1;
    p.digital.scale = static_cast<cycle_count>(c.scale_cycles);
    p.digital.routing = routing_cycles(c.head_dim, output_bits(c.out_levels, c.sub_tiles, c.combine), c.bus_bits);
    return p;
}

}  // namespace gcasim::device
