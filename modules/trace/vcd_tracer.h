// Phase monitor that writes trace.vcd: the layer's token index, phase (as a code and as one flag
// per phase), the ring slot being written, the readout counter's steps and the adder-tree stage on
// the control clock, a busy flag per head, and for one head and sub-tile the query pulses on the
// K-array rows and the phi pulses on the V-array rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device/circuit_timing.h"
#include "head_monitor.h"
#include "trace/vcd_writer.h"
#include "util/atomic_file.h"

namespace gcasim {

class vcd_tracer : public phase_monitor {
public:
    /// Writes into `file`; the caller commits it (with the run's other outputs).
    /// `cycles`: the phases of a token on the control clock of period `clock` (the counter's steps
    /// and the adder stages are drawn from them).
    vcd_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head, std::size_t traced_tile,
               std::size_t width, std::size_t tile_tokens, const device::phase_cycles& cycles,
               const sc_core::sc_time& clock);

    void on_phase(const phase_record& r) override;
    void on_pulses(const pulse_record& r) override;
    void on_token_closed(std::size_t token, const sc_core::sc_time& now) override;

    /// Write what is still buffered.
    void finish();

private:
    struct change {
        std::uint64_t time_ps;
        std::uint64_t sequence;  ///< order of recording
        std::uint64_t value;
        int id;           ///< after value: 32 bytes, not 40, to move while sorting
        bool superseded;  ///< by a later change of the signal at the same instant
    };
    void record(const sc_core::sc_time& t, int id, std::uint64_t value);
    /// counter_steps: 0 during the sign decision, then 1 .. M, one per clock cycle; 0 at the end.
    void record_counter(const phase_record& r);
    /// adder_stage: 1 .. stages, each for its cycles, then 0 (scaling and routing).
    void record_adder_stages(const phase_record& r);
    /// Write the buffered changes up to `until` (all of them by default), in time order.
    void flush(std::uint64_t until_ps = UINT64_MAX);
    /// Write buffer_[begin, end), the changes of one instant, in order.
    void write_instant(std::size_t begin, std::size_t end);

    atomic_file& file_;
    vcd_writer vcd_;
    std::size_t traced_head_, traced_tile_;
    device::phase_cycles cycles_;
    sc_core::sc_time clock_;
    int token_id_, phase_id_, write_slot_id_, counter_id_, adder_stage_id_, active_id_;
    std::vector<int> phase_flag_ids_, busy_ids_, q_ids_, phi_ids_;
    std::vector<change> buffer_;
    std::vector<std::uint64_t> last_written_;  ///< by signal id: the instant that last wrote it
    std::uint64_t sequence_, generation_;
    phase last_phase_;
};

}  // namespace gcasim
