// The progress line (platforms/common/progress.h): its text (rate, time left) and its redraws.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "common/progress.h"

using namespace gcasim::platform;

namespace {

/// What `body` writes to stderr (fd 2), through a temporary file.
template <typename Body>
std::string stderr_of(Body body)
{
    char path[] = "/tmp/gcasim_progress_test.XXXXXX";
    const int file = ::mkstemp(path);
    REQUIRE(file >= 0);
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(file, STDERR_FILENO);
    body();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(file);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    ::unlink(path);
    return text.str();
}

}  // namespace

TEST_CASE("progress_line: rate = done / elapsed, time left = remaining / rate")
{
    // 50 of 200 in 10 s: 5 per second, 150 left: 30 s.
    CHECK(progress_line("run", 50, 200, "tokens", 10.0, false) == "run: 50/200 tokens   25 %  5.00 tokens/s  0:30 left");
    // 1500 of 2000 in 3 s: 500 per second, 500 left: 1 s.
    CHECK(progress_line("run", 1500, 2000, "tokens", 3.0, false) == "run: 1500/2000 tokens   75 %  500 tokens/s  0:01 left");
    // 1 of 10000 in 2 s: 0.5 per second, 9999 left: 19998 s = 5:33:18.
    CHECK(progress_line("run", 1, 10000, "points", 2.0, false) == "run: 1/10000 points    0 %  0.50 points/s  5:33:18 left");
}

TEST_CASE("progress_line: the closing line gives the elapsed time; an unknown total gives no percentage, no time left")
{
    CHECK(progress_line("sweep", 8, 8, "points", 3723.0, true) == "sweep: 8/8 points  100 %  0.00 points/s  in 1:02:03");
    CHECK(progress_line("gpt_model", 40, 0, "tokens", 2.0, false) == "gpt_model: 40 tokens  20.0 tokens/s");
    CHECK(progress_line("gpt_model", 40, 0, "tokens", 2.0, true) == "gpt_model: 40 tokens  20.0 tokens/s  in 0:02");
}

TEST_CASE("progress: not shown, it writes nothing")
{
    const std::string written = stderr_of([] {
        progress bar("run", 100, "tokens", false);
        for (int i = 0; i < 100; ++i)
            bar.advance();
    });
    CHECK(written.empty());
}

TEST_CASE("progress: the first unit draws, then at most one redraw per interval, and the closing line ends with a newline")
{
    const std::string written = stderr_of([] {
        progress bar("run", 3000, "tokens", true);
        for (int i = 0; i < 1000; ++i)  // well within one interval: only the first draws
            bar.advance();
        std::this_thread::sleep_for(progress::redraw_interval + std::chrono::milliseconds(50));
        for (int i = 0; i < 2000; ++i)  // the interval has passed: one more draw
            bar.advance();
        CHECK(bar.done() == 3000);
    });  // the destructor finishes the line
    CHECK(std::count(written.begin(), written.end(), '\r') == 3);
    CHECK(std::count(written.begin(), written.end(), '\n') == 1);
    CHECK(written.back() == '\n');
    CHECK(written.find("\rrun: 1/3000 tokens") == 0);
    CHECK(written.find("\rrun: 1001/3000 tokens") != std::string::npos);
    CHECK(written.find("\rrun: 3000/3000 tokens  100 %") != std::string::npos);
}

TEST_CASE("progress: finish() twice closes the line once")
{
    const std::string written = stderr_of([] {
        progress bar("run", 0, "tokens", true);
        bar.update(123456789);  // a long first line
        bar.finish();
        bar.finish();
    });
    CHECK(std::count(written.begin(), written.end(), '\n') == 1);
    CHECK(std::count(written.begin(), written.end(), '\r') == 2);
}

TEST_CASE("progress: nothing done, nothing drawn (a run that failed before its first token says only why)")
{
    CHECK(stderr_of([] { progress bar("run", 10, "tokens", true); }).empty());
}
