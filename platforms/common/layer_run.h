// Runs H attention heads as one layer: elaborates the attention_layer, attaches the energy ledger's
// CSV and the tracers, simulates, and returns the summary (latency, energy, files). Shared by the
// head and layer platforms so that both report the same way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "config/head_config.h"
#include "config/param_schema.h"
#include "device/circuit_area.h"
#include "device/circuit_timing.h"
#include "energy_ledger.h"
#include "head_monitor.h"
#include "io.h"
#include "platform_cli.h"
#include "run_support.h"
#include "token_stream.h"

namespace gcasim::platform {

struct layer_run {
    std::string platform;                       ///< name in summary.json
    const cli_options* options = nullptr;
    const nlohmann::json* config = nullptr;     ///< validated, complete
    const std::vector<token_stream>* inputs = nullptr;  ///< one stream per head
    token_observer* recorder = nullptr;         ///< optional: sees every head's tokens
    output_set* outputs = nullptr;              ///< where energy.csv and the traces go (not committed)
};

/// Tokens that started after their slot t x token period (the previous token, with its refresh,
/// ran over), and the largest such delay.
struct late_starts {
    std::size_t tokens = 0;
    sc_core::sc_time worst = sc_core::SC_ZERO_TIME;
};

/// Late starts of the tokens that started at `starts` (token t's slot: t x `period`).
late_starts late_starts_of(const std::vector<sc_core::sc_time>& starts, const sc_core::sc_time& period);

/// mean, min and max (ns) of per-token latencies (zeros when there are none): summary.json's
/// latency figures of every platform.
nlohmann::json latency_report(const std::vector<sc_core::sc_time>& latencies);

/// summary.json's latency_cycles: {write, qk, pv, readout, digital, total}, whole cycles of the
/// control clock from the circuit (config/head_timing.h).
nlohmann::json latency_cycles_report(const device::phase_cycles& cycles);

/// "10 write + 15 qk + ..." for the console.
std::string phase_cycles_text(const device::phase_cycles& cycles);

/// Latency per token, from its start to the end of the slowest head.
class latency_meter : public token_observer {
public:
    void on_token(const token_result& r) override;
    /// mean, min, max (ns) of the simulated latencies.
    nlohmann::json report() const;
    /// The achieved rate: tokens per second of simulated time from the first token's start to the
    /// last's; 10^9 / token_period_ns when no token starts late (and for a single token).
    double throughput(double token_period_ns) const;
    late_starts lateness(const sc_core::sc_time& token_period) const { return late_starts_of(start_, token_period); }

private:
    std::vector<sc_core::sc_time> start_, end_;
};

/// Mean energy per row of a ledger (pJ): by component, by published part, and the total.
struct energy_figures {
    std::vector<std::pair<std::string, double>> components;  ///< in the ledger's column order
    std::map<std::string, double> parts;  ///< qk, pv, digital, dac, refresh (and any other part published)
    double total = 0;
    /// {component: pJ, ..., "total": pJ, "parts": {part: pJ}}: summary.json's form.
    nlohmann::json to_json() const;
};

/// Absent when there are no rows.
std::optional<energy_figures> mean_energy(const std::vector<energy_ledger::column>& columns,
                                          const energy_ledger::amounts& sum, std::size_t rows);
/// An energy_figures as summary.json holds it; null when absent.
nlohmann::json energy_json(const std::optional<energy_figures>& figures);
/// mean_energy as summary.json holds it; null when there are no rows.
nlohmann::json energy_report(const std::vector<energy_ledger::column>& columns, const energy_ledger::amounts& sum,
                             std::size_t rows);

/// The worst case of a layer of `heads` heads per token at full window (device::worst_case_head_pj):
/// parts and total, no components.
energy_figures worst_case_energy(const config::head_config& head, std::size_t heads);

/// "    qk  ... pJ  ... %" for each published part of the paper's breakdown, on stdout; with
/// `worst_case`, its figure of each part beside.
void print_energy_parts(const energy_figures& energy, const energy_figures* worst_case = nullptr);

/// What a layer run prints, typed: the values summary.json holds.
struct run_figures {
    std::string platform;
    std::size_t heads = 0, tokens = 0;
    int window = 0, sub_tiles_per_head = 0;
    double latency_ns = 0, clock_period_ns = 0, token_period_ns = 0;
    device::phase_cycles cycles;  ///< of one token, from the circuit
    std::optional<energy_figures> mean_energy, full_window_energy;
    energy_figures worst_case_energy;
    std::size_t full_window_tokens = 0;
    run_timing timing;
    late_starts late;
    device::head_area area;  ///< of one head
};

/// What simulate_layer returns: summary.json's content, and the figures of the stdout summary.
struct layer_result {
    nlohmann::json summary;
    run_figures figures;
};

/// Whole attojoules as picojoules with six decimals: exact, so the columns add up to the total.
void write_attojoules(std::ostream& out, energy_ledger::attojoules aj);

/// energy.csv, the one writer of it: a header, then a row per token and ledger, streamed as each
/// token closes: token (and layer, for a run of several layers), <component>_pj for each of the
/// ledger's columns, total_pj.
class energy_csv {
public:
    /// `layer_column`: the rows name the layer they come from.
    energy_csv(atomic_file& file, bool layer_column);
    /// Streams `ledger`'s rows; `layer` fills the layer column. The first ledger's columns make the
    /// header; every further ledger must have the same columns (std::logic_error otherwise).
    void attach(energy_ledger& ledger, std::size_t layer = 0);

private:
    void write_header(const std::vector<energy_ledger::column>& columns);

    atomic_file& file_;
    bool layer_column_;
    std::vector<std::string> components_;  ///< the header's, once written
};

/// Write summary.json, commit every output of the run and print the summary.
void finish_run(output_set& outputs, const layer_result& result, const std::string& out_dir);

/// The names a layer run may write into its output folder.
std::vector<std::string> run_output_names();

/// Simulate and write energy.csv (and trace.vcd / timeline.json when switched on) into the run's
/// output set. Returns summary.json's content (the caller adds its files and commits the set) and
/// the late starts.
layer_result simulate_layer(const layer_run& run);

/// The human-readable summary on stdout.
void print_summary(const run_figures& figures, const output_set& outputs, const std::string& out_dir);

/// A stdout line when tokens started late (how many of `tokens`, the worst delay); nothing otherwise.
void print_late_starts(const late_starts& late, std::size_t tokens, double token_period_ns);

}  // namespace gcasim::platform
