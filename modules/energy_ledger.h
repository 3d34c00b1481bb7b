// Event-based energy ledger. The blocks count what they do (cell reads, conversions, DAC writes,
// additions, control steps); the ledger multiplies each count by its per-event energy once per
// token and head, and emits one row per token for all heads together. Energies are kept as whole
// attojoules so that the components of a row add up exactly to its total, in 128 bits: 64 would
// overflow (9.2 J) in a large layer at high per-event energies (4096 heads x 1e9 pJ is 4 J a token).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "attention_head.h"
#include "config/run_config.h"
#include "head_monitor.h"

namespace gcasim {

class energy_ledger : public sc_core::sc_module, public token_observer {
public:
    enum component : std::size_t { k_array, charge_to_pulse, v_array, readout, dac, refresh, adders, control, count };
    using attojoules = unsigned __int128;  ///< up to 3.4e20 J; an energy is never negative
    using amounts = std::array<attojoules, component::count>;  ///< per component

    /// Column names (without the _pj suffix), in component order.
    static const std::array<const char*, component::count>& component_names();
    /// The published part each component belongs to: qk, pv, digital or dac; refresh (not in the
    /// paper) is a part of its own.
    static const char* published_part(component c);

    struct row {
        std::size_t token;
        amounts energy;
        attojoules total;
        bool full_window;  ///< every head saw a full window of keys
    };

    energy_ledger(const sc_core::sc_module_name& name, const config::energy_config& energies,
                  std::size_t window);

    /// Register a head's event counters; the head's controller reports its tokens to this ledger.
    void attach(attention_head& head);

    /// Called with each finished row (token order).
    void set_row_sink(std::function<void(const row&)> sink) { sink_ = std::move(sink); }
    /// Called with the token index once every head has reported it.
    void set_close_listener(std::function<void(std::size_t)> listener) { close_listener_ = std::move(listener); }

    void on_token(const token_result& result) override;

    std::size_t rows() const { return rows_; }
    std::size_t full_window_rows() const { return full_rows_; }
    const amounts& sum_all() const { return sum_all_; }
    const amounts& sum_full_window() const { return sum_full_; }

    static double to_pj(attojoules aj) { return static_cast<double>(aj) * 1e-6; }
    /// sum += x, or std::overflow_error (exit 1) rather than a wrapped, wrong energy.
    static void add(attojoules& sum, attojoules x);

private:
    struct source {
        component kind;
        const std::uint64_t* counter;
        double pj_per_event;
        std::uint64_t last;
    };

    std::vector<std::vector<source>> heads_;  ///< per head, its counters
    std::deque<row> pending_;                 ///< rows still waiting for some heads
    std::deque<std::size_t> reported_;        ///< heads reported per pending row
    std::size_t first_pending_;
    config::energy_config energies_;
    std::size_t window_;
    std::function<void(const row&)> sink_;
    std::function<void(std::size_t)> close_listener_;
    std::size_t rows_, full_rows_;
    amounts sum_all_, sum_full_;
};

}  // namespace gcasim
