// The head's digital control clock: every phase lasts a whole number of its cycles
// (device/circuit_timing.h), so phase times are exact integer multiples of the period.
#pragma once

#include <systemc>

#include "device/circuit_timing.h"

namespace gcasim {

struct control_clock {
    sc_core::sc_time period;  ///< timing.clock_period_ns

    /// n cycles, exactly (integer multiple of the period in the time resolution).
    sc_core::sc_time operator()(device::cycle_count n) const { return sc_core::sc_time::from_value(period.value() * n); }
    /// Whole cycles in `t` (a phase time).
    device::cycle_count cycles_in(const sc_core::sc_time& t) const { return t.value() / period.value(); }
};

}  // namespace gcasim
