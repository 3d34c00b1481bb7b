// The one interface through which a block publishes what it costs. A block prices its own events
// from its circuit parameters and the simulated data (device/circuit_energy.h) and keeps, for each
// cost component, the running energy in whole attojoules; it also states the static power of its
// area. Meters (the energy ledger) find the publishers among a head's SystemC objects, read the
// counters at the end of every token and charge the static power for the time that passed; they
// know neither the blocks nor the hierarchy. A new cost component is one more entry in a list.
#pragma once

#include <cmath>
#include <stdexcept>
#include <vector>

namespace gcasim {

/// Energy in whole attojoules, in 128 bits (up to 3.4e20 J): 64 would overflow (18 J) in a long run
/// at the schema's highest energies. An energy is never negative.
using attojoules = unsigned __int128;

/// counter += aj, rounded half away from zero; std::overflow_error (exit 1) rather than a wrong energy.
inline void spend(attojoules& counter, double aj)
{
    const double rounded = std::round(aj);
    if (!(rounded >= 0 && rounded < 0x1p128) || __builtin_add_overflow(counter, static_cast<attojoules>(rounded), &counter))
        throw std::overflow_error("energy of a block exceeds 2^128 attojoules (3.4e20 J) or is not a number");
}

struct cost_counter {
    const char* component;           ///< energy.csv column, e.g. "k_array"; counters may share one
    const char* part;                ///< published part of the paper (qk, pv, dac, refresh, digital) or its own
    const attojoules* spent;         ///< energy spent since the block was built, owned by the block
};

/// Static power of a block (its area's leakage), charged by the meter for the time that passes.
struct static_power {
    const char* component;  ///< energy.csv column, e.g. "qk_static"; blocks may share one
    const char* part;
    double microwatts;
};

class cost_publisher {
public:
    virtual ~cost_publisher() = default;
    /// The block's energy counters, the same list every call (read once, when a meter attaches).
    virtual std::vector<cost_counter> cost_counters() const = 0;
    /// The block's static powers (read once, when a meter attaches).
    virtual std::vector<static_power> static_powers() const { return {}; }
};

}  // namespace gcasim
