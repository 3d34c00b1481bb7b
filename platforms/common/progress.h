// Progress of a long run on a terminal: one line on stderr, redrawn in place ("\r"), with the units
// done, the rate and the time left, e.g.
//     attention_layer: 512/1280 tokens  40 %  1.2e+03 tokens/s  0:01 left
// Only when the user watches: stderr is a terminal and --quiet was not given; a pipe or a file gets
// no byte of it, so outputs and logs are the same with or without it. Plain C++ (no SystemC).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace gcasim::platform {

struct cli_options;

/// Whether a run shows progress: stderr is a terminal and not `quiet`.
bool progress_wanted(bool quiet);
/// progress_wanted(options.quiet).
bool progress_wanted(const cli_options& options);

/// The progress line for `done` of `total` units after `elapsed_s` seconds (total 0: unknown, no
/// percentage and no time left); `finished`: the closing line, with the elapsed time.
std::string progress_line(const std::string& label, std::size_t done, std::size_t total, const std::string& unit,
                          double elapsed_s, bool finished);

class progress {
public:
    using clock = std::chrono::steady_clock;
    /// At most one redraw per this interval (and one at the end).
    static constexpr std::chrono::milliseconds redraw_interval{200};

    /// Nothing is drawn until the first unit is done (nor ever when !shown). The clock starts here.
    progress(std::string label, std::size_t total, std::string unit, bool shown);
    /// finish(): an error or an interrupt that unwinds the run still ends the line before its message.
    ~progress();
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    /// `n` more units done.
    void advance(std::size_t n = 1) { update(done_ + n); }
    /// `done` units done in all.
    void update(std::size_t done);
    /// Draws the closing line and ends it with a newline; later calls do nothing. Silent when not
    /// shown, and when no unit was done (a run that failed before its first token says only why).
    void finish();

    std::size_t done() const { return done_; }

private:
    void draw(bool finished);

    std::string label_, unit_;
    std::size_t total_, done_ = 0;
    bool shown_, finished_ = false;
    std::size_t drawn_width_ = 0;  ///< of the line on screen, to blank a longer old one
    clock::time_point start_, last_draw_;
};

}  // namespace gcasim::platform
