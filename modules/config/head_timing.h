// The head's circuit timing from its config: which keys the timing equations read
// (device/circuit_timing.h), in one place for the blocks, the rules and the reports.
#pragma once

#include "config/head_config.h"
#include "device/circuit_timing.h"

namespace gcasim::config {

/// The timing inputs of a head. The levels are the circuit's also with quant.enabled false (that
/// switch changes the numerics only). lines.physics adds the lines' settle times
/// (device/array_physics.h) to the write and the two reads.
device::timing_circuit head_timing_circuit(const head_config& c);

/// Cycles of every phase of one token of the head.
device::phase_cycles head_phase_cycles(const head_config& c);

/// The five phases of one token in ns: total cycles x timing.clock_period_ns.
double head_phases_ns(const head_config& c);

}  // namespace gcasim::config
