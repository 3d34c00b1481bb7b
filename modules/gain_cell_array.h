// One gain-cell array (64x64 in the paper): stores one token per line through its DACs and computes
// a MAC of input pulses against the stored values, with leakage from each value's simulated age.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "device/cell_lines.h"
#include "device/circuit_energy.h"
#include "device/cell_model.h"
#include "device/quantizer.h"
#include "device/random.h"
#include "cost_publisher.h"

namespace gcasim {

class gain_cell_array : public sc_core::sc_module, public cost_publisher {
public:
    /// Which way a token is laid out. K arrays: a token is a column, the query drives the rows and
    /// each column integrates one token's score. V arrays: a token is a row, phi pulses drive the
    /// rows and each column integrates one output dimension.
    enum class orientation { token_per_column, token_per_row };

    /// Built from the config by sub_tile::array_params; each member is named after its key
    /// (durations as sc_time without the _ns). No defaults: every member is set by the builder.
    struct params {
        orientation layout{};
        std::size_t tokens{};             ///< array.tokens: token lines (columns of K, rows of V)
        std::size_t width{};              ///< head_dim: values per token line
        sc_core::sc_time write_time;      ///< DAC write of one token line: the write phase's cycles
        sc_core::sc_time read_time;       ///< one MAC: the qk (K) or pv (V) phase's cycles
        sc_core::sc_time tau;             ///< cell.leakage.tau_ns: retention time constant
        device::cell_model model{device::nonlinearity::polynomial, device::leakage_form::none, 1};  ///< cell.*
        double v_max{};                   ///< cell.v_max: DAC range top (V), bottom 0 V
        int kv_levels{};                  ///< quant.kv_levels, 0 = ideal DAC (quant.enabled false)
        device::mac_precision precision{};  ///< sim.precision: the MACs' arithmetic (not the hardware)
        // Non-idealities (0 = off): noise.*.
        std::uint64_t seed{};             ///< this array's own seed, derived from noise.seed
        double cell_variation{};          ///< relative sigma of the per-cell read gain
        double tau_spread{};              ///< sigma of ln(tau) across cells
        double read_sigma{};              ///< additive noise per MAC output (MAC units)
        double dac_sigma{};               ///< write error (V)
        // Array physics (lines.physics; device/array_physics.h): the IR-drop gain of each cell along
        // a bit line from its sense end (K: by cell of a token line, V: by token line; empty = ideal
        // lines), and the read of a cell storing 0 V, the reference the drop does not scale.
        std::vector<double> bit_line_gains;
        double floor_read{};
        // Energy (docs/cost_model.md, Energy): the circuit's parameters, see device/circuit_energy.h.
        double read_v{};                  ///< cell.read_v: read pulse amplitude (V)
        double read_unit_aj{};            ///< V x cell.read_current_na x T_max: a MAC unit for a full pulse
        double wl_ff_per_cell{};          ///< lines.wl_ff_per_cell
        double bl_ff_per_cell{};          ///< lines.bl_ff_per_cell
        double dac_conversion_aj{};       ///< (quant.kv_levels - 1) x dac.level_fj: one DAC conversion
        double write_line_ff{};           ///< C_wbl: the write line across the array's token lines
        double storage_ff{};              ///< cell.storage_ff
        double cells_static_uw{};         ///< static power of the cells and their read periphery
        double dacs_static_uw{};          ///< static power of the write DACs
    };

    /// What the array did (published through cost_counters()).
    struct event_counts {
        std::uint64_t cells_written = 0;  ///< DAC conversions of new tokens
        std::uint64_t cells_refreshed = 0;  ///< DAC conversions of refreshes
        std::uint64_t cells_read = 0;     ///< cells on the enabled token lines of each MAC
        std::uint64_t macs = 0;           ///< MAC operations
    };

    /// Energy spent (aJ), per cost component (published through cost_counters()).
    struct energy_spent {
        attojoules cell_reads = 0;  ///< read currents of the driven cells
        attojoules lines = 0;       ///< word lines driven and bit lines precharged
        attojoules writes = 0;      ///< DAC writes of new tokens
        attojoules refreshes = 0;   ///< sense reads and re-writes of refreshes
    };

    /// TLM_WRITE_COMMAND, address = token line, data = `width` voltages (V). With an analog_payload
    /// whose `refresh` is set: sense the line and write its decayed values back (data unused).
    tlm_utils::simple_target_socket<gain_cell_array> write_socket;
    /// TLM_READ_COMMAND with an analog_payload: input pulses (fractions of T_max), data = charges.
    /// With the payload's `defer` set, the arithmetic is queued there (see analog_payload).
    tlm_utils::simple_target_socket<gain_cell_array> mac_socket;

    gain_cell_array(const sc_core::sc_module_name& name, const params& p);

    const params& parameters() const { return params_; }
    const event_counts& events() const { return events_; }
    const energy_spent& energy() const { return energy_; }
    /// Cell reads (component k_array or v_array, by layout), lines (k_lines, v_lines), DAC writes
    /// (dac) and refreshes (refresh).
    std::vector<cost_counter> cost_counters() const override;
    /// Cells and read periphery (qk_static or pv_static), write DACs (dac_static).
    std::vector<static_power> static_powers() const override;
    const device::cell_lines& cells() const { return cells_; }

private:
    void write_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void mac_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    /// The leakage factor of every line at `now` (decay_); with `lines` false only the re-basing
    /// of the reference time (a MAC that reads no cell needs no factor, but the reference must move
    /// at the same times whatever is read, for the same roundings).
    void update_decay(const sc_core::sc_time& now, bool lines = true);
    void compute_mac();
    static void run_mac(void* self) { static_cast<gain_cell_array*>(self)->compute_mac(); }
    /// Writes stored_ (through the DAC) into a line; returns the write energy (aJ).
    double store_line(std::size_t line, const sc_core::sc_time& written_at);
    /// Cell-read energy of the MAC just computed, from its outputs before read noise (aJ); sum_in:
    /// the sum of its inputs.
    double mac_read_energy(std::size_t active_lines, double sum_in) const;
    void set_cell_gains();
    void add_ir_drop_offsets();
    static double seconds(const sc_core::sc_time& a, const sc_core::sc_time& b);

    params params_;
    device::quantizer dac_;
    std::optional<device::cell_lines::code_grid> grid_;  ///< set: cells stored as DAC codes
    device::cell_lines cells_;
    // Leakage: delta = exp(-(now - written)/tau) = exp(-(now - ref)/tau) * exp((written - ref)/tau),
    // one exp per MAC instead of one per line; `ref` moves forward so neither factor overflows.
    std::vector<sc_core::sc_time> written_at_;  ///< end of the last write of each line
    std::vector<double> written_factor_;        ///< exp((written_at - ref)/tau) per line
    sc_core::sc_time decay_ref_;
    std::vector<double> decay_;                 ///< leakage factor per line, for the current MAC
    double tau_s_;                              ///< params_.tau in seconds
    std::vector<double> stored_;                ///< scratch: one line after the DAC
    std::vector<std::uint8_t> stored_codes_;    ///< scratch: its DAC codes, with grid_
    std::vector<double> ir_drop_offset_;        ///< per bit-line position (array physics), else empty
    device::splitmix64 write_noise_, read_noise_;
    struct {
        const double* in = nullptr;
        const std::uint8_t* enabled = nullptr;
        double* out = nullptr;
        sc_core::sc_time now;  ///< when it starts: the values' ages
    } mac_;  ///< the MAC being computed (at most one per array in flight); compute_mac does the rest
    device::cell_current current_;  ///< P_floor and the cells' range, without polarity
    event_counts events_;
    energy_spent energy_;
};

}  // namespace gcasim
