#include "config/head_timing.h"

#include <algorithm>

#include "device/array_physics.h"

namespace gcasim::config {

device::timing_circuit head_timing_circuit(const head_config& c)
{
    device::timing_circuit t;
    t.clock_period_ns = c.timing.clock_period_ns;
    t.t_max_ns = c.pulse.t_max_ns;
    t.dac_settle_ns = c.dac.settle_ns;
    t.write_tau_ns = c.cell.write_tau_ns;
    t.kv_levels = c.quant.kv_levels;
    t.out_levels = c.quant.out_levels;
    t.out_clip = c.quant.out_clip;
    t.sign_cycles = c.readout.sign_cycles;
    t.sub_tiles = c.sub_tiles();
    t.head_dim = c.head_dim;
    t.combine = c.readout.combine;
    t.adder_stage_cycles = c.digital.adder_stage_cycles;
    t.scale_cycles = c.digital.scale_cycles;
    t.bus_bits = c.digital.bus_bits;
    // The lines' settling (0 without lines.physics); K and V are written in parallel.
    using device::array_side;
    using device::line_access;
    t.write_line_settle_ns = std::max(device::line_settle_ns(c, array_side::k, line_access::write),
                                      device::line_settle_ns(c, array_side::v, line_access::write));
    t.k_read_settle_ns = device::line_settle_ns(c, array_side::k, line_access::read);
    t.v_read_settle_ns = device::line_settle_ns(c, array_side::v, line_access::read);
    return t;
}

device::phase_cycles head_phase_cycles(const head_config& c) { return device::token_phase_cycles(head_timing_circuit(c)); }

double head_phases_ns(const head_config& c)
{
    return static_cast<double>(head_phase_cycles(c).total()) * c.timing.clock_period_ns;
}

}  // namespace gcasim::config
