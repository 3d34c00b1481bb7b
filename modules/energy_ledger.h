// Energy ledger. The blocks price what they do and publish their running energies and their static
// powers (cost_publisher.h); the ledger reads every counter of a head when that head finishes a
// token, charges each static power for the simulated time since the head's previous token report,
// and emits one row per token for all heads together when the layer's token barrier closes it. It
// knows neither the blocks nor the hierarchy: a head is a subtree of SystemC objects whose cost
// publishers it collects. Energies are kept as whole attojoules so that the components of a row add
// up exactly to its total, in 128 bits: 64 would overflow (9.2 J) in a large layer at high energies.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "cost_publisher.h"
#include "head_monitor.h"

namespace gcasim {

class energy_ledger : public token_observer, public token_closed_listener {
public:
    using attojoules = gcasim::attojoules;
    using amounts = std::vector<attojoules>;  ///< per column

    /// One column of energy.csv: a cost component and the published part it belongs to.
    struct column {
        std::string component;
        std::string part;
    };

    struct row {
        std::size_t token;
        amounts energy;
        attojoules total;
        bool full_window;  ///< every head saw a full window of keys
    };

    /// `window`: keys a query sees at full window (rows with fewer are not full-window rows).
    explicit energy_ledger(std::size_t window);

    /// Collect the cost publishers among `root` and its descendants as head `head`'s counters. Columns
    /// are ordered by published part (qk, pv, dac, refresh, digital, then others), then by first
    /// appearance. Only before the first token.
    void attach(std::size_t head, const sc_core::sc_object& root);
    const std::vector<column>& columns() const { return columns_; }

    /// Called with each finished row (token order).
    void set_row_sink(std::function<void(const row&)> sink) { sink_ = std::move(sink); }

    /// A head finished a token: its counters go into the token's row.
    void on_token(const token_result& result) override;
    /// Every head finished the token: its row is complete.
    void on_token_closed(std::size_t token, const sc_core::sc_time& now) override;

    std::size_t rows() const { return rows_; }
    std::size_t full_window_rows() const { return full_rows_; }
    const amounts& sum_all() const { return sum_all_; }
    const amounts& sum_full_window() const { return sum_full_; }

    static double to_pj(attojoules aj) { return static_cast<double>(aj) * 1e-6; }
    /// sum += x, or std::overflow_error (exit 1) rather than a wrapped, wrong energy.
    static void add(attojoules& sum, attojoules x);

private:
    struct source {
        const char* component;
        const char* part;
        std::size_t column;
        const attojoules* counter;  ///< running
        attojoules last;
    };
    struct static_source {
        const char* component;
        const char* part;
        std::size_t column;
        double microwatts;
    };
    struct head_sources {
        std::vector<source> counters;
        std::vector<static_source> statics;
        sc_core::sc_time last_report;  ///< the static powers are charged from here
        bool indexed = false;          ///< the sources' columns are set (at the head's first report)
    };
    void collect(const sc_core::sc_object& object, head_sources& sources);
    std::size_t column_of(const char* component) const;
    /// The head's components that are not columns yet become columns, in published-part order.
    void add_columns(const head_sources& head);
    void add_column(const char* component, const char* part);
    /// Sets the column of each of the head's sources: once, when the columns are final (first token).
    void index(head_sources& head) const;
    row& pending_row(std::size_t token);

    std::vector<head_sources> heads_;
    std::vector<column> columns_;
    std::deque<row> pending_;                 ///< rows not yet closed, from first_pending_ on
    std::size_t first_pending_;
    std::size_t window_;
    std::function<void(const row&)> sink_;
    std::size_t rows_, full_rows_;
    amounts sum_all_, sum_full_;
};

}  // namespace gcasim
