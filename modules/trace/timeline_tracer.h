// Phase monitor that writes timeline.json: Chrome trace-event JSON (opens in the Perfetto UI and
// chrome://tracing). One track per head with one slice per phase per token (args: token, cycles of
// the control clock; readout: sign_cycles, counter_steps; digital: adder_stages, scale_cycles,
// routing_cycles); for the traced head one track per sub-tile with its Q.K and phi.V reads (only
// sub-tiles holding visible keys).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

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
    /// Text fixed before the run (a slice's name, its track, the constant args), written with a
    /// copy of fixed size and advanced by its length: no strlen, no loop per character.
    struct snippet {
        std::array<char, 128> text{};
        std::size_t length = 0;
        char* write(char* at) const
        {
            std::memcpy(at, text.data(), text.size());
            return at + length;
        }
    };
    static snippet make_snippet(const std::string& text);
    /// A slice's opening: separator, name, category, phase "X", up to the time stamp's value.
    static snippet opening(const char* name);
    /// A slice's track and the opening of its args: "pid", "tid", "args":{.
    static snippet track(int pid, std::size_t tid);
    /// Room for a slice: opening and track, two time stamps, two args and the closing.
    static constexpr std::size_t slice_room = 3 * sizeof(snippet::text) + 2 * text_buffer::max_micros_chars + 128;
    /// Everything of a slice up to its args' members; returns the end.
    static char* slice_head(char* at, const snippet& opening, const sc_core::sc_time& start,
                            const sc_core::sc_time& duration, const snippet& track);
    void metadata(const char* kind, int pid, std::size_t tid, const std::string& name);

    text_buffer text_;
    std::size_t traced_head_;
    bool first_;                             ///< no event yet (slices follow the metadata: always after one)
    std::array<snippet, 7> phase_openings_;  ///< by phase
    std::array<snippet, 7> phase_closings_;  ///< by phase: the args from `cycles` on, "}}"
    snippet k_read_, v_read_;
    std::vector<snippet> head_tracks_, tile_tracks_;
};

}  // namespace gcasim
