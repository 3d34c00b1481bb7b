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
    // sub-tile ending by their widths) but fall on few instants. Each change names its instant
    // (found through a table by time); a flush sorts only the instants and then places the changes
    // by instant, in the order recorded (a counting sort).
    struct change {
        vcd_writer::value_change value;
        int instant;  ///< index into instants_
    };
    struct instant {
        std::uint64_t time_ps;
        std::size_t changes;  ///< how many; during a flush, where the next goes in ordered_
    };
    static constexpr int none = -1;

    void record(const sc_core::sc_time& t, int id, std::uint64_t value);
    /// A change at instants_[at].
    void append(int at, int id, std::uint64_t value)
    {
        changes_.push_back({{value, id}, at});
        ++instants_[static_cast<std::size_t>(at)].changes;
    }
    /// The instant at `time_ps`, added if new.
    int instant_at(std::uint64_t time_ps)
    {
        const int entry = slots_[slot_of(time_ps)];
        if (entry != 0 && instants_[static_cast<std::size_t>(entry - 1)].time_ps == time_ps)
            return entry - 1;
        return probe_instant(time_ps);
    }
    std::size_t slot_of(std::uint64_t time_ps) const
    {
        return static_cast<std::size_t>((time_ps * 0x9e3779b97f4a7c15u) >> slot_shift_);
    }
    /// instant_at past the first slot.
    int probe_instant(std::uint64_t time_ps);
    /// Size the table of instants for `count` of them and enter instants_[0, count) into it.
    void index_instants(std::size_t count);
    /// counter_steps: 0 during the sign decision, then 1 .. M, one per clock cycle; 0 at the end.
    void record_counter(const phase_record& r);
    /// adder_stage: 1 .. stages, each for its cycles, then 0 (scaling and routing).
    void record_adder_stages(const phase_record& r);
    /// order_: the instants by time.
    void sort_instants();
    /// Write the buffered changes up to `until` (all of them by default), in time order.
    void flush(std::uint64_t until_ps = UINT64_MAX);

    atomic_file& file_;
    vcd_writer vcd_;
    std::size_t traced_head_, traced_tile_;
    device::phase_cycles cycles_;
    sc_core::sc_time clock_;
    int token_id_, phase_id_, write_slot_id_, counter_id_, adder_stage_id_, active_id_;
    std::vector<int> phase_flag_ids_, busy_ids_, q_ids_, phi_ids_;
    std::vector<change> changes_;                    ///< as recorded
    std::vector<vcd_writer::value_change> ordered_;  ///< placed by instant (flush)
    std::vector<instant> instants_;
    std::vector<int> order_;           ///< instants by time (flush)
    std::vector<std::uint64_t> keys_;  ///< for sorting the instants
    /// Open addressing by time: 1 + index into instants_, 0 for a free slot; a power of two long.
    std::vector<int> slots_;
    int slot_shift_;  ///< 64 - log2(slots_.size()): the hash's top bits pick the slot
    int recent_;      ///< the instant last recorded at, or none
};

}  // namespace gcasim
