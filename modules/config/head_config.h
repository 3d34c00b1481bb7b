// Configuration of one gain-cell attention head: plain structs whose members are named after their
// keys (head_config::cell.leakage.tau_ns is the key cell.leakage.tau_ns), declared once with their
// defaults, units and ranges in head_params() (head_config.cpp). Durations are nanoseconds here; the
// modules turn them into sc_time.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "config/param_table.h"
#include "device/cell_model.h"
#include "device/readout_modes.h"

namespace gcasim::config {

using device::combine_mode;
using device::output_clip;

struct array_config {
    int tokens{};  ///< tokens per sub-tile: columns of a K array, rows of a V array
};

struct leakage_config {
    device::leakage_form model{};
    double tau_ns{};
};

struct cell_config {
    device::nonlinearity nonlinearity{};
    int polarity{};
    leakage_config leakage;
    double v_max{};  ///< top of the write range (V); the bottom is 0 V
};

struct timing_config {
    double token_period_ns{};
    double write_ns{};
    double qk_ns{};
    double pv_ns{};
    double readout_ns{};
    double digital_ns{};
    double clock_period_ns{};
    double phases_ns() const { return write_ns + qk_ns + pv_ns + readout_ns + digital_ns; }
};

struct quant_config {
    bool enabled{};
    int q_levels{};
    int kv_levels{};
    int out_levels{};
    output_clip out_clip{};
};

struct pulse_config {
    double s_sat{};
    double t_max_ns{};
};

struct readout_config {
    combine_mode combine{};
    double scale{};
};

/// Non-idealities the paper leaves out. All zero = the paper's model.
struct noise_config {
    std::uint64_t seed{};
    double cell_variation{};
    double read_sigma{};
    double tau_spread{};
    double dac_sigma{};
    double c2p_offset_sigma{};
    double counter_offset_sigma{};
};

/// Refresh: the controller senses and re-writes values older than age_ns (after each token).
struct refresh_config {
    bool enabled{};
    double age_ns{};
};

struct head_config {
    int window{};
    int head_dim{};
    array_config array;
    cell_config cell;
    timing_config timing;
    quant_config quant;
    pulse_config pulse;
    readout_config readout;
    noise_config noise;
    refresh_config refresh;

    int sub_tiles() const { return (window + array.tokens - 1) / array.tokens; }
    int ring_slots() const { return sub_tiles() * array.tokens; }
};

/// Every key of the head (window, head_dim, array.*, cell.*, timing.*, quant.*, pulse.*, readout.*,
/// noise.*, refresh.*): the one declaration of each.
const param_table<head_config>& head_params();

/// Adds the head's keys to a schema.
void add_head_params(param_schema& schema);

/// The head of a validated nested config; checks the rules that span keys (check_head_rules).
head_config parse_head_config(const nlohmann::json& config);

/// The head with every key at its default.
head_config default_head_config();

std::string to_string(combine_mode mode);

}  // namespace gcasim::config
