// The one interface through which a block publishes what it did. A block keeps running event
// counters and says, for each, which cost component it feeds, which published part that component
// belongs to and what one event costs. Meters (the energy ledger) find the publishers among a
// head's SystemC objects and read the counters at the end of every token; they know neither the
// blocks nor the hierarchy. A new cost component is one more counter in the block's list.
#pragma once

#include <cstdint>
#include <vector>

namespace gcasim {

struct cost_counter {
    const char* component;         ///< energy.csv column, e.g. "k_array"; counters may share one
    const char* part;              ///< published part of the paper (qk, pv, dac, digital) or its own
    double pj_per_event;           ///< energy of one event
    const std::uint64_t* events;   ///< running count since the block was built, owned by the block
};

class cost_publisher {
public:
    virtual ~cost_publisher() = default;
    /// The block's counters, the same list every call (read once, when a meter attaches).
    virtual std::vector<cost_counter> cost_counters() const = 0;
};

}  // namespace gcasim
