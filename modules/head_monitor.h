// Interfaces through which a head reports what it does: per finished token (results, timing), per
// phase (for traces), and the layer's token barrier (every head has finished a token). Nothing is
// reported to an empty list: tracing off costs a loop over zero elements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <systemc>

namespace gcasim {

/// The five phases of one token, the optional refresh after it, and idle between tokens.
enum class phase : int { idle = 0, write = 1, qk = 2, pv = 3, readout = 4, digital = 5, refresh = 6 };

inline const char* phase_name(phase p)
{
    switch (p) {
    case phase::idle: return "idle";
    case phase::write: return "write";
    case phase::qk: return "qk";
    case phase::pv: return "pv";
    case phase::readout: return "readout";
    case phase::digital: return "digital";
    case phase::refresh: return "refresh";
    }
    return "?";
}

/// How long each phase of one token lasted, each a whole number of control-clock cycles.
struct token_phase_times {
    sc_core::sc_time write, qk, pv, readout, digital;
    sc_core::sc_time refresh;  ///< after the output is ready; zero when nothing was refreshed
};

/// What one token produced, by ring slot. Valid only during the callback.
struct token_result {
    std::size_t head;
    std::size_t token;
    sc_core::sc_time start;                    ///< when the token's first phase began
    sc_core::sc_time end;                      ///< when its output was ready (end of the digital phase)
    token_phase_times phases;                  ///< the time the controller spent in each phase
    const std::vector<long>& slot_token;       ///< token held by each ring slot, -1 = empty
    const std::vector<std::uint8_t>& visible;  ///< slot inside the window of this query
    const std::vector<double>& scores;         ///< S per slot (0 where masked)
    const std::vector<double>& pulses;         ///< phi per slot, fraction of T_max
    const std::vector<double>& output;         ///< head output, d values
};

class token_observer {
public:
    virtual ~token_observer() = default;
    virtual void on_token(const token_result& result) = 0;
};

/// Hears the layer's token barrier (token_barrier.h): token `token` is finished in every head.
class token_closed_listener {
public:
    virtual ~token_closed_listener() = default;
    /// All records and results of the token and of every earlier one are final at `now`.
    virtual void on_token_closed(std::size_t token, const sc_core::sc_time& now) = 0;
};

/// One phase of one token of one head.
struct phase_record {
    std::size_t head;
    std::size_t token;
    phase kind;
    sc_core::sc_time start;
    sc_core::sc_time duration;
    std::uint64_t cycles;    ///< duration in cycles of the control clock (a whole number)
    std::size_t write_slot;  ///< ring slot written by this token
};

/// Pulses driving one sub-tile: the query on the K-array rows (qk phase) or phi on the V-array
/// rows (pv phase); widths as fractions of T_max.
struct pulse_record {
    std::size_t head;
    std::size_t tile;
    std::size_t token;
    phase kind;  ///< qk or pv
    sc_core::sc_time start;
    sc_core::sc_time t_max;
    const double* widths;
    std::size_t count;
    std::size_t active_lines;  ///< token lines taking part (visible) in this sub-tile
};

/// A tracer: hears every phase and pulse record of the heads, and the barrier's closed tokens.
class phase_monitor : public token_closed_listener {
public:
    virtual void on_phase(const phase_record& record) = 0;
    virtual void on_pulses(const pulse_record& record) = 0;
};

}  // namespace gcasim
