// The one report of a whole-model run (issue 14, item 6): per token, latency, energy and area split
// into the analog attention, the digital engines' compute and the off-chip memory traffic, with
// attention's share; the token period configured and derived; throughput; the retention of the
// oldest key in the window; the timeline (one track per layer). Read from the simulated blocks
// after the run, so the figures are the simulation's, not a second model of it.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/layer_run.h"
#include "config/head_config.h"
#include "model_energy.h"
#include "model_hardware.h"

namespace gcasim::model {

/// Per-op time of every engine, split into compute and the memory stall beyond it (the engines' op
/// listeners fill it during the run).
class engine_time_meter {
public:
    /// Listens to every engine of `hardware`.
    explicit engine_time_meter(model_hardware& hardware);
    /// Per engine (index as model_hardware::engines): time computing, and time the stream added beyond it.
    const std::vector<double>& compute_ns() const { return compute_ns_; }
    const std::vector<double>& stall_ns() const { return stall_ns_; }

private:
    std::vector<double> compute_ns_, stall_ns_;
};

/// The whole model's attention energy per token: every layer's ledgers (every sequence's) summed;
/// `full_window_only`: only the rows at full window.
std::optional<platform::energy_figures> attention_energy(const model_hardware& hw, bool full_window_only);

/// Mean time between a sequence's consecutive tokens entering the model, over the sequences
/// (ns; nullopt with fewer than two tokens in every sequence).
std::optional<double> derived_token_period_ns(const model_hardware& hw);

/// The time between a sequence's consecutive tokens that its attention heads saw (what their keys
/// age by and their static power is charged over), and why that one: "configured" (token_timing =
/// fixed, no token late: the slots), "derived" (token_timing = derived, or fixed with late tokens: the
/// simulated period), "latency" (a single token per sequence under derived timing: its latency).
struct heads_period {
    double ns = 0;
    const char* basis = "configured";
};
heads_period heads_token_period(const model_hardware& hw, const config::head_config& head);

/// summary.json's "per_token", "area_mm2_model", "token_period", "throughput" and "retention".
struct whole_model_report {
    nlohmann::json per_token, area, token_period, retention;
    double throughput_tokens_per_s = 0;
};
whole_model_report report_whole_model(const model_hardware& hw, const engine_time_meter& meter,
                                      const model_energy& energy, const config::head_config& head);

/// An engine's charged energy per token: {engine_mac, engine_sram, memory, engine_static} in pJ.
nlohmann::json engine_energy_json(const model_energy::engine_parts& parts, double tokens);

/// The stdout lines of the report.
void print_whole_model(const whole_model_report& report);

/// timeline.json (Chrome trace events, Perfetto): one track per layer (attention vs digital
/// slices, one per micro-batch and token) and one for the embedding and LM head.
void write_timeline(std::ostream& out, const model_hardware& hw);

}  // namespace gcasim::model
