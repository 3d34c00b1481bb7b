// Phase monitor that writes timeline.json: Chrome trace-event JSON (opens in the Perfetto UI and
// chrome://tracing). One track per head with one slice per phase per token (args: token, cycles of
// the control clock; readout: sign_cycles, counter_steps; digital: adder_stages, scale_cycles,
// routing_cycles); for the traced head one track per sub-tile with its Q.K and phi.V reads (only
// sub-tiles holding visible keys).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "device/circuit_timing.h"
#include "head_monitor.h"
#include "trace/text_buffer.h"
#include "util/atomic_file.h"

namespace gcasim {

class timeline_tracer : public phase_monitor {
public:
    /// Writes into `file`; the caller commits it (with the run's other outputs).
    /// `cycles`: the phases of a token (their breakdown goes into the readout and digital slices).
    timeline_tracer(atomic_file& file, std::size_t heads, std::size_t traced_head, std::size_t tiles,
                    const device::phase_cycles& cycles);

    void on_phase(const phase_record& r) override;
    void on_pulses(const pulse_record& r) override;
    void on_token_closed(std::size_t, const sc_core::sc_time&) override {}

    /// Close the JSON and hand the buffered text to the file.
    void finish();

private:
    /// Open a slice: everything up to its args object, whose members follow (arg()).
    void begin_slice(std::string_view name, int pid, std::size_t tid, const sc_core::sc_time& start,
                     const sc_core::sc_time& duration);
    /// One member of the args object, e.g. "token":3.
    void arg(std::string_view name, std::uint64_t value, bool first = false);
    /// Close the args object and the slice.
    void end_slice();
    void metadata(const char* kind, int pid, std::size_t tid, const std::string& name);
    /// The separator before every event but the first.
    void separate();

    text_buffer text_;
    std::size_t traced_head_;
    device::phase_cycles cycles_;
    bool first_;
};

}  // namespace gcasim
