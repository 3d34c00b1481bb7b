#include "progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <utility>

#include "platform_cli.h"

namespace gcasim::platform {

bool progress_wanted(bool quiet)
{
    return !quiet && ::isatty(STDERR_FILENO) == 1;
}

bool progress_wanted(const cli_options& options)
{
    return progress_wanted(options.quiet);
}

namespace {

/// "0:07", "12:30", "1:02:03".
std::string clock_text(double seconds)
{
    const long s = std::lround(std::max(0.0, seconds));
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
    return text;
}

/// Three significant digits at most, never an exponent for the rates a simulator reaches.
std::string rate_text(double per_second)
{
    char text[32];
    std::snprintf(text, sizeof text, per_second >= 100 ? "%.0f" : per_second >= 10 ? "%.1f" : "%.2f", per_second);
    return text;
}

}  // namespace

std::string progress_line(const std::string& label, std::size_t done, std::size_t total, const std::string& unit,
                          double elapsed_s, bool finished)
{
    std::string line = label + ": " + std::to_string(done);
    if (total > 0)
        line += "/" + std::to_string(total);
    line += " " + unit;
    if (total > 0) {
        char percent[16];
        std::snprintf(percent, sizeof percent, "  %3.0f %%", 100.0 * static_cast<double>(done) / static_cast<double>(total));
        line += percent;
    }
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
    if (rate > 0)
        line += "  " + rate_text(rate) + " " + unit + "/s";
    if (finished)
        line += "  in " + clock_text(elapsed_s);
    else if (total > done && rate > 0)
        line += "  " + clock_text(static_cast<double>(total - done) / rate) + " left";
    return line;
}

progress::progress(std::string label, std::size_t total, std::string unit, bool shown)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), shown_(shown), start_(clock::now()),
      last_draw_()
{
}

progress::~progress()
{
    finish();
}

void progress::update(std::size_t done)
{
    const bool first = done_ == 0;
    done_ = done;
    if (!shown_ || finished_ || done == 0)
        return;
    if (first || clock::now() - last_draw_ >= redraw_interval)
        draw(false);
}

void progress::finish()
{
    if (finished_)
        return;
    finished_ = true;
    if (shown_ && done_ > 0) {
        draw(true);
        std::fputc('\n', stderr);
        std::fflush(stderr);
    }
}

void progress::draw(bool finished)
{
    last_draw_ = clock::now();
    const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
    const std::string line = progress_line(label_, done_, total_, unit_, elapsed, finished);
    // Blanks after a line shorter than the one on screen, so that none of the old one stays.
    const std::size_t blanks = drawn_width_ > line.size() ? drawn_width_ - line.size() : 0;
    std::fprintf(stderr, "\r%s%*s", line.c_str(), static_cast<int>(blanks), "");
    std::fflush(stderr);
    drawn_width_ = line.size();
}

}  // namespace gcasim::platform
