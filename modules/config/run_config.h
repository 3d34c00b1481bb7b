// Configuration beyond one head's hardware: traces, synthetic inputs, the reference comparison and
// the simulator's threads. Plain structs named after their keys (trace_config::vcd is trace.vcd),
// declared once in run_config.cpp.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "config/param_table.h"

namespace gcasim::config {

/// trace.*
struct trace_config {
    bool vcd{};
    bool timeline{};
    std::size_t head{};  ///< head whose pulses go into the VCD
    std::size_t tile{};  ///< its sub-tile
};

enum class input_distribution { uniform, gaussian };

/// input.*: the synthetic inputs without --input.
struct input_config {
    input_distribution distribution{};  ///< uniform over the hardware ranges, or clipped Gaussians
    double q_mean{}, q_sigma{};
    double kv_mean{}, kv_sigma{};
};

/// output.reference_error: compare the outputs with the ideal attention (no leakage/quantization/noise).
struct output_config {
    bool reference_error{};
};

/// sim.threads: threads for the MAC arithmetic (0 = one per core).
struct sim_config {
    std::size_t threads{};
};

const param_table<trace_config>& trace_params();
/// `distribution`: the platform's default for input.distribution.
param_table<input_config> input_params(input_distribution distribution);
const param_table<output_config>& output_params();
const param_table<sim_config>& sim_params();

void add_sim_params(param_schema& schema);
void add_reference_params(param_schema& schema);
void add_trace_params(param_schema& schema);
void add_input_params(param_schema& schema, input_distribution distribution);

trace_config parse_trace_config(const nlohmann::json& config);
input_config parse_input_config(const nlohmann::json& config);
/// sim.threads, with 0 read as one per core.
std::size_t parse_sim_threads(const nlohmann::json& config);

}  // namespace gcasim::config
