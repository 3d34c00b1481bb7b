// Configuration beyond one head's hardware: per-event energies of the ledger, traces, synthetic
// inputs. Plain C++.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"

namespace gcasim::config {

/// Energy per event (pJ). Defaults calibrated so that one token at full window (W = 1024,
/// 16 sub-tiles, d = 64) costs the published 1120 + 700 + 4000 + 330 = 6150 pJ per head; the split
/// inside each published part is our assumption (docs/modules/energy_ledger.md).
struct energy_config {
    double k_cell_read_pj = 560.0 / 65536;       ///< K array: one cell on an enabled column
    double c2p_conversion_pj = 560.0 / 1024;     ///< one charge-to-pulse conversion
    double v_cell_read_pj = 350.0 / 65536;       ///< V array: one cell on an enabled row
    double readout_conversion_pj = 350.0 / 1024; ///< one signed charge-to-pulse + counter conversion
    double dac_write_pj = 330.0 / 128;           ///< one cell written through a DAC
    double adder_op_pj = 400.0 / 960;            ///< one digital addition (combining sub-tiles)
    double control_token_pj = 3600.0;            ///< control and routing, per token per head
};

struct trace_config {
    bool vcd = false;
    bool timeline = false;
    std::size_t head = 0;  ///< head whose pulses go into the VCD
    std::size_t tile = 0;  ///< its sub-tile
};

struct input_config {
    bool gaussian = false;  ///< else uniform over the hardware ranges
    double q_mean = 0.5, q_sigma = 0.25;
    double kv_mean = 0.45, kv_sigma = 0.2;
};

void add_energy_params(param_schema& schema);
/// sim.threads: threads for the MAC arithmetic (0 = one per core).
void add_sim_params(param_schema& schema);
std::size_t parse_sim_threads(const nlohmann::json& config);
/// output.reference_error: compare the outputs with the ideal attention (no leakage/quantization/noise).
void add_reference_params(param_schema& schema);
void add_trace_params(param_schema& schema);
void add_input_params(param_schema& schema, const std::string& default_distribution);

energy_config parse_energy_config(const nlohmann::json& config);
trace_config parse_trace_config(const nlohmann::json& config);
input_config parse_input_config(const nlohmann::json& config);

}  // namespace gcasim::config
