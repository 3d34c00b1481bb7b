// Shared by the two fuzz harnesses: the platforms' parameter schemas, an in-memory file that the
// path-taking loaders can open, and the checks that turn a wrong-but-quiet result into a finding.
//
// A finding is anything but a clean result or a config_error with a one-line message: a crash, a
// sanitizer report, another exception (it escapes LLVMFuzzerTestOneInput: std::terminate), or a
// broken invariant checked here (abort with a line on stderr).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/layer_run.h"
#include "config/head_config.h"
#include "config/platform_params.h"
#include "config/param_schema.h"
#include "config/run_config.h"

namespace gcasim::fuzz {

[[noreturn]] inline void finding(const std::string& what)
{
    std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

/// The keys of build/bin/attention_head.
inline config::param_schema head_schema()
{
    config::param_schema s;
    config::add_platform_params(s, "attention_head");
    return s;
}

/// The keys of build/bin/attention_layer.
inline config::param_schema layer_schema()
{
    config::param_schema s;
    config::add_platform_params(s, "attention_layer");
    return s;
}

/// An anonymous in-memory file with a path (/proc/self/fd/N) for the loaders that take a file name.
class memory_file {
public:
    memory_file()
    {
        fd_ = ::memfd_create("gcasim-fuzz", 0);
        if (fd_ < 0)
            finding("memfd_create failed (harness setup)");
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~memory_file() { ::close(fd_); }
    memory_file(const memory_file&) = delete;
    memory_file& operator=(const memory_file&) = delete;

    void assign(const std::string& bytes)
    {
        if (::ftruncate(fd_, 0) != 0)
            finding("ftruncate failed (harness setup)");
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
            if (n <= 0)
                finding("pwrite failed (harness setup)");
            done += static_cast<std::size_t>(n);
        }
    }
    const std::string& path() const { return path_; }

private:
    int fd_ = -1;
    std::string path_;
};

/// What the CLI prints is "<platform>: error: <message>": the message must be one non-empty line.
inline void check_message(const char* message, const std::string& context)
{
    const std::string m = message;
    if (m.empty())
        finding(context + ": config_error with an empty message");
    if (m.find('\n') != std::string::npos || m.find('\r') != std::string::npos)
        finding(context + ": config_error message spans several lines: " + nlohmann::json(m).dump(
                                                                                -1, ' ', true,
                                                                                nlohmann::json::error_handler_t::replace));
}

inline std::vector<std::string> split_lines(const std::string& bytes)
{
    std::vector<std::string> lines;
    std::size_t begin = 0;
    while (begin <= bytes.size()) {
        std::size_t end = bytes.find('\n', begin);
        if (end == std::string::npos)
            end = bytes.size();
        if (end > begin)
            lines.push_back(bytes.substr(begin, end - begin));
        begin = end + 1;
    }
    return lines;
}

}  // namespace gcasim::fuzz
