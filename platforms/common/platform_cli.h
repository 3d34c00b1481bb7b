// The command line shared by every platform:
//   PLATFORM [--config FILE] [--set key=value]... [--input FILE] [--tokens N] [--seed N] [--out DIR]
//            [--list-params] [--help]
// Configuration = schema defaults <- config file <- --set overrides, each layer validated.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"

namespace gcasim::platform {

struct cli_options {
    std::string config_file;
    std::vector<std::string> overrides;
    std::string input_file;            ///< empty: seeded random inputs
    std::optional<std::size_t> tokens; ///< default: all input rows, or the platform's default
    std::uint64_t seed = 1;
    std::string out_dir;
};

struct platform_info {
    std::string name;            ///< e.g. "attention_head"
    std::string summary;         ///< one line for --help
    std::string default_config;  ///< path
    std::string default_out;     ///< e.g. "out/attention_head"
    std::size_t default_tokens = 256;
    std::function<void(config::param_schema&)> add_params;
};

/// Set by SIGINT/SIGTERM: the run stops cleanly at the next token boundary (see interrupted()).
bool stop_requested();
/// Exit code of a run stopped by a signal.
constexpr int interrupted_exit_code = 130;

/// The platform's body: gets the parsed options and the validated, complete config.
using platform_body = std::function<void(const cli_options&, const nlohmann::json& config)>;

/// Parse the CLI, build the config and run `body`. Prints errors as one line on stderr and returns
/// the exit code: 0 ok, 2 usage/config/input errors, 1 runtime failures, 130 stopped by Ctrl-C
/// (outputs then cover the tokens that finished).
int run_platform(int argc, char** argv, const platform_info& info, const platform_body& body);

/// defaults <- file <- overrides, validated; for tools and tests that need a config without a CLI.
nlohmann::json load_config(const config::param_schema& schema, const std::string& file,
                           const std::vector<std::string>& overrides);

/// Keep SystemC's copyright banner out of the platform's output (call first in sc_main).
void quiet_systemc_banner();

/// Where the repository's platform configs live (compiled in).
std::string config_dir();

}  // namespace gcasim::platform
