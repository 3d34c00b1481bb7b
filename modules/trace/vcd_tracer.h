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
    // Changes are recorded in any time order (a phase's end with its start, the pulses of a
    // sub-tile ending by their widths) but fall on few instants: they are kept by instant, each
    // instant's changes in the order recorded, so a flush sorts the instants, not the changes.
    struct change {
        std::uint64_t value;
        int id;
        int next;  ///< the instant's next change (index into changes_), or none
    };
    struct instant {
        std::uint64_t time_ps;
        int first, last;  ///< its changes (indices into changes_)
    };
    static constexpr int none = -1;

    void record(const sc_core::sc_time& t, int id, std::uint64_t value);
    /// Append a change to instants_[at].
    void append(int at, int id, std::uint64_t value)
    {
        const int index = static_cast<int>(changes_.size());
        changes_.push_back({value, id, none});
        instant& in = instants_[static_cast<std::size_t>(at)];
        (in.first == none ? in.first : changes_[static_cast<std::size_t>(in.last)].next) = index;
        in.last = index;
    }
    /// The instant at `time_ps`, added if new.
    int instant_at(std::uint64_t time_ps);
    /// Size the table of instants for `count` of them and enter instants_[0, count) into it.
    void index_instants(std::size_t count);
    /// counter_steps: 0 during the sign decision, then 1 .. M, one per clock cycle; 0 at the end.
    void record_counter(const phase_record& r);
    /// adder_stage: 1 .. stages, each for its cycles, then 0 (scaling and routing).
    void record_adder_stages(const phase_record& r);
    /// Write the buffered changes up to `until` (all of them by default), in time order.
    void flush(std::uint64_t until_ps = UINT64_MAX);
    /// Write one instant's changes in the order recorded, but of several changes of one signal
    /// only the last.
    void write_instant(const instant& at);

    atomic_file& file_;
    vcd_writer vcd_;
    std::size_t traced_head_, traced_tile_;
    device::phase_cycles cycles_;
    sc_core::sc_time clock_;
    int token_id_, phase_id_, write_slot_id_, counter_id_, adder_stage_id_, active_id_;
    std::vector<int> phase_flag_ids_, busy_ids_, q_ids_, phi_ids_;
    std::vector<change> changes_;
    std::vector<instant> instants_;
    /// Open addressing by time: 1 + index into instants_, 0 for a free slot; a power of two long.
    std::vector<int> slots_;
    int slot_shift_;               ///< 64 - log2(slots_.size()): the hash's top bits pick the slot
    int recent_;                   ///< the instant last recorded at, or none
    std::vector<int> last_change_;  ///< by signal id: its last change in the instant being written
};

}  // namespace gcasim
