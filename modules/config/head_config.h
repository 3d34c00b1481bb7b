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
    int tiers{};   ///< arrays stacked in the back end: divides the cells' footprint
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
    double read_v{};           ///< read pulse amplitude V_in (V)
    double read_current_na{};  ///< cell read current of one MAC unit (nA)
    double write_tau_ns{};     ///< storage node's write time constant R_write * C_storage
    double storage_ff{};       ///< storage capacitance
    double area_um2{};         ///< footprint of one gain cell
};

/// Word and bit lines of the arrays. Their capacitance always costs energy; `physics` adds their
/// resistance and capacitance to the read time and the MAC (off: the paper's ideal lines).
struct lines_config {
    bool physics{};
    double wl_ff_per_cell{};
    double bl_ff_per_cell{};
    double r_ohm_per_cell{};
    double driver_ohm{};
    double share_ff_per_tile{};  ///< parasitic of the charge-sharing bus per sub-tile
};

/// The write DACs (one per write line of an array).
struct dac_config {
    double settle_ns{};
    double level_fj{};          ///< energy of one conversion per DAC level (L_kv - 1 unit elements)
    double area_per_level_um2{};
};

/// The charge-to-pulse converters after the K arrays (one per token line).
struct c2p_config {
    double conversion_pj{};
    double area_um2{};
};

/// Digital control, adders, scaling and routing of a head.
struct digital_config {
    double control_power_mw{};
    int adder_stage_cycles{};
    int scale_cycles{};
    int bus_bits{};
    double add_fj_per_bit{};
    double mult_pj{};
    double route_fj_per_bit{};
    double adder_area_um2_per_bit{};
    double flop_area_um2{};
    double control_area_mm2{};
};

/// The process: static power of every block, from its area.
struct process_config {
    double leakage_uw_per_mm2{};
};

struct timing_config {
    double token_period_ns{};
    double clock_period_ns{};  ///< the control clock: every phase is a whole number of its cycles
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
    double generator_area_um2{};  ///< one query pulse generator (per K-array row)
};

struct readout_config {
    combine_mode combine{};
    double scale{};
    double conversion_pj{};    ///< one signed charge-to-pulse conversion
    double counter_step_fj{};  ///< one counter increment
    int sign_cycles{};         ///< clock cycles to decide the sign before counting
    double integrator_ff{};    ///< integration capacitor of one readout converter
    double area_um2{};         ///< one signed converter (the counter's flip-flops apart)
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

/// How the simulator computes the head (not the hardware): sim.precision.
struct numerics_config {
    device::mac_precision precision{};
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
    lines_config lines;
    dac_config dac;
    c2p_config c2p;
    digital_config digital;
    process_config process;
    timing_config timing;
    quant_config quant;
    pulse_config pulse;
    readout_config readout;
    noise_config noise;
    refresh_config refresh;
    numerics_config sim;

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
