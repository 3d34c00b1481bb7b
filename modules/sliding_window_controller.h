// The head's sequencer and the TLM initiator. Per token: write K,V into the ring slot, drive the
// query into every sub-tile with the window's mask, let every sub-tile's converters drive its V
// array, read out and combine. Heads and sub-tiles work in parallel: each phase lasts as long as
// its slowest block's annotated delay. With a compute pool, the sub-tiles' MAC arithmetic runs on
// worker threads: the controller hands the pool over in the payload and joins it before the
// results are needed.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "analog_payload.h"
#include "control_clock.h"
#include "cost_publisher.h"
#include "head_monitor.h"
#include "device/quantizer.h"
#include "token_source.h"
#include "util/compute_pool.h"

namespace gcasim {

class sliding_window_controller : public sc_core::sc_module, public cost_publisher {
public:
    /// Built from the config by attention_head::controller_params; no defaults of its own.
    struct params {
        std::size_t window{};             ///< window
        std::size_t sub_tiles{};          ///< ceil(window / array.tokens)
        std::size_t array_tokens{};       ///< array.tokens: ring slots per sub-tile
        std::size_t width{};              ///< head_dim
        std::size_t converted_size{};     ///< values between readout conversion and combine
        sc_core::sc_time token_period;    ///< timing.token_period_ns
        sc_core::sc_time clock;           ///< timing.clock_period_ns: the phases are whole cycles of it
        int q_levels{};                   ///< quant.q_levels on [0,1]; 0 = continuous (quant.enabled false)
        sc_core::sc_time t_max;           ///< pulse.t_max_ns: full-scale pulse width
        std::size_t head_index{};         ///< reported in results and traces
        bool refresh{};                   ///< refresh.enabled: refresh tokens older than refresh_age
        sc_core::sc_time refresh_age;     ///< refresh.age_ns
        double control_power_mw{};        ///< digital.control_power_mw: while the control is clocked
        double control_static_uw{};       ///< static power of the control's area
    };

    template <typename T> using multi_socket = tlm_utils::multi_passthrough_initiator_socket<T>;
    multi_socket<sliding_window_controller> k_write_socket;  ///< to each sub-tile's k_write_socket
    multi_socket<sliding_window_controller> v_write_socket;  ///< to each sub-tile's v_write_socket
    multi_socket<sliding_window_controller> query_socket;    ///< to each sub-tile's query_socket (qk)
    multi_socket<sliding_window_controller> value_socket;    ///< to each sub-tile's value_socket (pv)
    tlm_utils::simple_initiator_socket<sliding_window_controller> convert_socket;  ///< readout
    tlm_utils::simple_initiator_socket<sliding_window_controller> combine_socket;  ///< adders

    SC_HAS_PROCESS(sliding_window_controller);
    /// A stream known in advance: token t starts at t * token_period. `pool` (optional): worker
    /// threads lent to the sub-tiles' MACs (analog_payload::defer) and joined in every phase.
    sliding_window_controller(const sc_core::sc_module_name& name, const params& p,
                              const token_stream& input, compute_pool* pool = nullptr);
    /// Tokens as `source` releases them (e.g. a streamed_source filled while the simulation runs).
    sliding_window_controller(const sc_core::sc_module_name& name, const params& p, token_source& source,
                              compute_pool* pool = nullptr);

    /// Receivers of each finished token's results (platform recorders, the energy ledger).
    void add_observer(token_observer* observer) { observers_.push_back(observer); }
    /// Receivers of phase and pulse records (tracers). Pulses are reported for `traced_tiles`.
    void add_monitor(phase_monitor* monitor, std::vector<std::size_t> traced_tiles);

    phase current_phase() const { return phase_; }
    std::size_t tokens_done() const { return tokens_done_; }
    /// Tokens that could not start on schedule because the previous token (with its refresh) ran late.
    std::size_t late_tokens() const { return late_tokens_; }
    /// Control energy (component control, part digital): power x the time it is clocked.
    std::vector<cost_counter> cost_counters() const override { return {{"control", "digital", &control_aj_}}; }
    std::vector<static_power> static_powers() const override
    {
        return {{"digital_static", "digital", params_.control_static_uw}};
    }
    /// Time the control is clocked in a token (ns): write, readout, digital and refresh; it is
    /// clock-gated during the two pulse windows (qk, pv), where the arrays and converters run alone.
    static double clocked_ns(const token_phase_times& t)
    {
        return (t.write + t.readout + t.digital + t.refresh).to_seconds() * 1e9;
    }

private:
    sliding_window_controller(const sc_core::sc_module_name& name, const params& p,
                              std::unique_ptr<token_source> owned, token_source* source, compute_pool* pool);
    void run();
    void start_sequence(std::size_t t);
    void process_token(std::size_t t);
    /// Spend `duration` (the blocks' delay, whole cycles) in phase `p`, reported to the monitors.
    void enter(phase p, const sc_core::sc_time& duration);
    sc_core::sc_time& phase_time(phase p);
    void report_pulses(phase p, std::size_t tile, const double* widths, std::size_t count);
    sc_core::sc_time write_token(std::size_t t);
    sc_core::sc_time read_keys(std::size_t t);
    sc_core::sc_time drive_values();
    /// Debug-read a sub-tile's S and phi into the token's per-slot vectors (for the observers).
    void probe_tile(std::size_t tile);
    void probe_line(std::size_t tile, sub_tile_probe line, double* into);
    sc_core::sc_time read_out();
    sc_core::sc_time combine();
    /// One READ of a whole vector (readout, combine): `in` drives the block, `out` receives.
    sc_core::sc_time read_vector(tlm::tlm_fw_transport_if<>& target, std::vector<double>& in,
                                 std::vector<double>& out, const char* what);
    sc_core::sc_time refresh_stale(std::size_t t);
    /// The sub-tiles' deferred MACs (if any) are done: their results may be read. Only this head's
    /// MACs: the other heads' go on on the pool.
    void join_deferred() { if (lane_) lane_->join(); }
    /// Hand the last, partly filled chunk of this phase's MACs to the pool.
    void flush_deferred() { if (lane_) lane_->flush(); }
    void transport(tlm::tlm_fw_transport_if<>& target, tlm::tlm_generic_payload& gp,
                   sc_core::sc_time& delay, const char* what, std::size_t tile);

    params params_;
    control_clock clock_;
    std::unique_ptr<compute_pool::lane> lane_;  ///< this head's jobs on the pool, or none
    std::unique_ptr<token_source> owned_source_;
    token_source& input_;
    std::vector<token_observer*> observers_;
    std::vector<phase_monitor*> monitors_;
    std::vector<std::uint8_t> traced_tile_;
    device::quantizer pulse_dac_;
    phase phase_;
    std::size_t tokens_done_, late_tokens_;
    attojoules control_aj_;
    std::size_t current_token_, current_slot_;
    std::size_t sequence_start_;  ///< token that opened the current sequence: ring slots count from it
    token_phase_times phase_times_;  ///< of the current token

    // Preallocated buffers and payloads: nothing is allocated per token.
    tlm::tlm_generic_payload gp_;
    analog_payload* ext_;  ///< owned by gp_ (freed with it)
    std::vector<double> query_, write_buffer_;
    std::vector<long> slot_token_;
    std::vector<sc_core::sc_time> slot_written_at_;  ///< when each slot's values were last written
    std::vector<std::uint8_t> visible_;
    std::vector<double> scores_, pulses_;  ///< copies of every sub-tile's S and phi, per slot
    std::vector<double> charges_, converted_, output_;
};

}  // namespace gcasim
