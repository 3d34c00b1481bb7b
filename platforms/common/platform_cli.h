// The command line shared by every platform:
//   PLATFORM [--config FILE] [--set key=value]... [--input FILE] [--tokens N] [--seed N] [--out DIR]
//            [--quiet] [--list-params] [--help]
// Configuration = schema defaults <- config file <- --set overrides, each layer validated.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
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
    bool quiet = false;  ///< no progress line on stderr (progress.h)
    std::map<std::string, std::string> extra;  ///< the platform's own options (platform_info::extra_options)
    std::set<std::string> given;  ///< names of the options given on the command line (not defaulted)
};

/// A platform-specific option with a string value, e.g. gpt_model's --model DIR.
struct extra_option {
    std::string name;
    std::string value_name;
    std::string help;
    std::optional<std::string> default_value;  ///< absent: not in cli_options::extra unless given
};

struct platform_info {
    std::string name;            ///< e.g. "attention_head"
    std::string summary;         ///< one line for --help
    std::string default_config;  ///< path
    std::string default_out;     ///< e.g. "out/attention_head"
    std::size_t default_tokens = 256;
    std::function<void(config::param_schema&)> add_params;
    std::vector<extra_option> extra_options;
    /// --input FILE of q, k, v vectors, and --seed/--tokens as their random stand-in; false: no
    /// --input option, and the platform's own texts for --tokens and --seed.
    bool input_vectors = true;
    std::string tokens_help, seed_help;  ///< --help texts when !input_vectors
    /// Optional: config values dictated by the run's inputs (e.g. the hardware a model was trained
    /// for), layered between the schema defaults and the config file; --set still overrides them.
    std::function<nlohmann::json(const cli_options&)> derived_defaults;
};

/// SIGINT/SIGTERM before the simulation starts (setup, reading inputs, elaboration) end the run at
/// once: exit 130, no outputs, the output folders it created removed. Once sc_start() has begun,
/// they set this flag and the run stops cleanly at the next token boundary.
bool stop_requested();
/// Exit code of a run stopped by a signal.
constexpr int interrupted_exit_code = 130;

/// The platform's body: gets the parsed options and the validated, complete config.
using platform_body = std::function<void(const cli_options&, const nlohmann::json& config)>;

/// Parse the CLI, build the config and run `body`. Prints errors as one line on stderr and returns
/// the exit code: 0 ok, 2 usage/config/input errors (also an argument the run would not use), 1
/// runtime failures (stdout not writable included), 130 stopped by Ctrl-C (outputs then cover the
/// tokens that finished).
int run_platform(int argc, char** argv, const platform_info& info, const platform_body& body);

/// defaults <- derived <- file <- overrides, validated; for tools and tests that need a config without a CLI.
nlohmann::json load_config(const config::param_schema& schema, const std::string& file,
                           const std::vector<std::string>& overrides,
                           const nlohmann::json& derived = nlohmann::json::object());

/// Flush stdout; false, after one error line "<program>: error: ..." on stderr, when it could not be
/// written (a full disk, /dev/full, a closed pipe): the run then exits 1.
bool stdout_written(const std::string& program);

/// Keep SystemC's copyright banner out of the platform's output (call first in sc_main).
void quiet_systemc_banner();

}  // namespace gcasim::platform
