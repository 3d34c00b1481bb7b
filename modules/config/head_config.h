// Configuration of one gain-cell attention head: the keys of the JSON config, parsed into plain
// structs that the SystemC modules take at construction. Durations are nanoseconds here; the
// modules turn them into sc_time.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "device/cell_model.h"

namespace gcasim::config {

enum class combine_mode { digital_adders, charge_sharing };
enum class output_clip { authors, counter };

struct cell_config {
    device::nonlinearity shape = device::nonlinearity::polynomial;
    device::leakage_form leakage = device::leakage_form::voltage;
    double tau_ns = 5e6;
    int polarity = 1;
    double v_max = 0.9;  ///< top of the write range (V); the bottom is 0 V
};

struct timing_config {
    double token_period_ns = 800;
    double write_ns = 10;
    double qk_ns = 15;
    double pv_ns = 15;
    double readout_ns = 15;
    double digital_ns = 10;
    double clock_period_ns = 1;
    double phases_ns() const { return write_ns + qk_ns + pv_ns + readout_ns + digital_ns; }
};

struct quant_config {
    bool enabled = true;
    int q_levels = 16;
    int kv_levels = 8;
    int out_levels = 32;
    output_clip out_clip = output_clip::authors;
};

/// Non-idealities the paper leaves out (hardware.md section 8). All zero = the paper's model.
struct noise_config {
    std::uint64_t seed = 1;             ///< base seed of every static and dynamic sample
    double cell_variation = 0;          ///< relative sigma of each cell's read gain (static)
    double read_sigma = 0;              ///< additive read noise per MAC output line (MAC units)
    double tau_spread = 0;              ///< sigma of ln(tau) across cells (static)
    double dac_sigma = 0;               ///< write error of the DACs (V), per written cell
    double c2p_offset_sigma = 0;        ///< offset of each charge-to-pulse converter (MAC units, static)
    double counter_offset_sigma = 0;    ///< offset of each readout converter (fraction of full scale, static)
};

/// Refresh: the controller senses and re-writes values older than age_ns (after each token).
struct refresh_config {
    bool enabled = false;
    double age_ns = 1e6;
};

struct head_config {
    int window = 1024;
    int head_dim = 64;
    int tile_tokens = 64;  ///< tokens per sub-tile (K-array columns = V-array rows)
    cell_config cell;
    timing_config timing;
    quant_config quant;
    double s_sat = 80;
    double t_max_ns = 15;
    combine_mode combine = combine_mode::digital_adders;
    double readout_scale = 40;
    noise_config noise;
    refresh_config refresh;

    int sub_tiles() const { return (window + tile_tokens - 1) / tile_tokens; }
    int ring_slots() const { return sub_tiles() * tile_tokens; }
};

/// Adds the head's keys (window, head_dim, array.*, cell.*, timing.*, quant.*, pulse.*, readout.*).
void add_head_params(param_schema& schema);

/// Build the head config from a validated nested JSON; checks the rules that span keys.
head_config parse_head_config(const nlohmann::json& config);

std::string to_string(combine_mode mode);

}  // namespace gcasim::config
