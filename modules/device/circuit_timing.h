// Timing of one token from the circuit (docs/cost_model.md, Timing): a digital control clock
// sequences the five phases, and every phase lasts a whole number of its cycles. The analog phases
// (write, the two pulse windows) take the cycles that cover their settling or pulse time; the
// readout counts on the clock (a sign decision, then one step per output level); the combine
// follows the adder tree, the scaler and the output bus. Plain C++: the blocks turn the cycles
// into sc_time delays.
#pragma once

#include <cstdint>

#include "device/readout_modes.h"

namespace gcasim::device {

using cycle_count = std::uint64_t;

/// Whole clock cycles that cover `t_ns`: ceil(t / clock - 1e-9), the guard keeping a time that is a
/// whole number of cycles up to rounding (14.999999...) at that number. 0 for t <= 0.
cycle_count cycles_covering(double t_ns, double clock_period_ns);

/// Write of a token line: the DAC settles, then the storage node charges through the write path
/// (time constant write_tau) to within half an LSB of its final value:
/// t_w = dac_settle + write_tau * ln(2 * kv_levels).
double write_settle_ns(double dac_settle_ns, double write_tau_ns, int kv_levels);

/// Counter steps of a full-scale readout (M): the largest magnitude code the counter holds at
/// |x| = 1. authors: round_half_even((levels-1)/2) (16 at 32 levels, the authors' +-32/31);
/// counter: floor((levels-1)/2) (15).
int counter_full_scale_steps(int out_levels, output_clip clip);

/// Stages of a binary adder tree over n inputs: ceil(log2 n) (0 for one input).
int adder_tree_stages(int inputs);

/// Bits of one head output leaving the combine (b_out): ceil(log2 out_levels) per counter code,
/// plus ceil(log2 sub_tiles) carry bits from the adder tree (digital adders; charge sharing has a
/// single conversion and no carries).
int output_bits(int out_levels, int sub_tiles, combine_mode combine);

/// Cycles to move `head_dim` outputs of `bits` bits over a bus of `bus_bits`: ceil(d * bits / bus).
cycle_count routing_cycles(int head_dim, int bits, int bus_bits);

/// What the timing of a head depends on (the config's keys; head_timing_circuit builds it).
struct timing_circuit {
    double clock_period_ns{};      ///< timing.clock_period_ns
    double t_max_ns{};             ///< pulse.t_max_ns
    double dac_settle_ns{};        ///< dac.settle_ns
    double write_tau_ns{};         ///< cell.write_tau_ns
    int kv_levels{};               ///< quant.kv_levels (levels of the circuit, also with quant.enabled false)
    int out_levels{};              ///< quant.out_levels
    output_clip out_clip{};        ///< quant.out_clip
    int sign_cycles{};             ///< readout.sign_cycles
    int sub_tiles{};               ///< N = ceil(window / array.tokens)
    int head_dim{};                ///< d
    combine_mode combine{};        ///< readout.combine
    int adder_stage_cycles{};      ///< digital.adder_stage_cycles
    int scale_cycles{};            ///< digital.scale_cycles
    int bus_bits{};                ///< digital.bus_bits
    double write_line_settle_ns{}; ///< line settling added to the write (0 without lines.physics)
    double k_read_settle_ns{};     ///< line settling added to the K read (0 without lines.physics)
    double v_read_settle_ns{};     ///< line settling added to the V read (0 without lines.physics)
};

/// The readout phase: sign decision, then the counter counts up to full scale on the clock.
struct readout_cycles {
    cycle_count sign{};           ///< readout.sign_cycles
    cycle_count counter_steps{};  ///< M = counter_full_scale_steps
    cycle_count total() const { return sign + counter_steps; }
};

/// The digital phase: combine the sub-tiles, scale, route the outputs.
struct digital_cycles {
    int adder_stages{};          ///< ceil(log2 N) with digital adders, 0 with charge sharing
    cycle_count combine{};       ///< adder_stages * stage cycles, or 1 cycle to share the charge
    cycle_count scale{};         ///< digital.scale_cycles
    cycle_count routing{};       ///< routing_cycles(d, b_out, bus)
    cycle_count total() const { return combine + scale + routing; }
};

/// Cycles of every phase of one token.
struct phase_cycles {
    cycle_count write{}, qk{}, pv{};
    readout_cycles readout;
    digital_cycles digital;
    cycle_count total() const { return write + qk + pv + readout.total() + digital.total(); }
};

phase_cycles token_phase_cycles(const timing_circuit& circuit);

}  // namespace gcasim::device
