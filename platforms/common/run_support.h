// Pieces every platform run needs: its input stream and the common part of summary.json.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/head_config.h"
#include "io.h"
#include "platform_cli.h"
#include "token_stream.h"

namespace gcasim::platform {

/// One part of the memory a run needs, estimated before anything is allocated.
struct memory_part {
    std::string what;  ///< names the keys it grows with, e.g. "array cells (heads x window x head_dim)"
    double bytes;
};

/// The hardware of `heads` heads (arrays, SystemC modules, buffers), their input streams and the
/// per-token records of a `tokens`-token run. `heads_key`: how the platform names the head count
/// ("" when it has one head).
std::vector<memory_part> layer_memory(const config::head_config& head, std::size_t heads, std::size_t tokens,
                                      const std::string& heads_key);

/// A config_error naming the largest parts when their sum exceeds the machine's physical memory
/// (beyond it the run would swap for hours or be killed by the kernel's out-of-memory killer).
void check_memory(const std::vector<memory_part>& parts);

/// Called by the input loaders once the token count is known, before the streams are generated
/// (random inputs) or right after they are read (--input): the place for check_memory.
using memory_check = std::function<void(std::size_t tokens)>;

/// --input FILE {"q","k","v"} (first --tokens rows) or seeded synthetic inputs of --tokens
/// (default `default_tokens`) shaped by the config's input.* keys.
token_stream load_head_input(const cli_options& options, const nlohmann::json& config,
                             std::size_t default_tokens, const memory_check& check = {});

/// --input FILE {"heads": [{"q","k","v"}, ...]} with one entry per head, or `heads` synthetic
/// streams (head h seeded from --seed and h).
std::vector<token_stream> load_layer_inputs(const cli_options& options, const nlohmann::json& config,
                                            std::size_t heads, std::size_t default_tokens,
                                            const memory_check& check = {});

/// Runs `body`; a std::bad_alloc (memory short of the estimate, or taken by other processes)
/// becomes a runtime_failure that says so (exit 1) instead of a bare "std::bad_alloc".
void out_of_memory_as_failure(const std::function<void()>& body);

/// Keep the first `tokens` rows of a stream (error if it has fewer).
void truncate_stream(token_stream& stream, std::size_t tokens, const std::string& what);

/// How long a run took: simulated time (now) and wall time, and the wall-clock rate.
struct run_timing {
    double simulated_ns = 0;
    double wall_s = 0;
    double tokens_per_s = 0;  ///< 0 when no wall time was measured
};
run_timing timing_now(std::size_t tokens, double wall_time_s);

/// `value` (in the base unit: s, J) with an SI prefix that puts it in [1, 1000) and four significant
/// digits, for people to read: si_text(4.9e-4, "s") = "490 µs", si_text(2.014e-2, "J") = "20.14 mJ"; 0 is
/// "0 <unit>". Files keep the exact numbers; this is for stdout.
std::string si_text(double value, const std::string& unit);
/// si_text of a time in ns / an energy in pJ.
std::string ns_text(double ns);
std::string pj_text(double pj);

/// "  simulated ... in ... s wall (... tokens/s)" on stdout.
void print_timing(const run_timing& timing);
/// "  outputs in DIR/: summary.json, ..." on stdout: the run's files, summary.json first, the others by name.
void print_outputs(const output_set& outputs, const std::string& out_dir);

/// platform, tokens, seed, input, simulated_time_ns (now), wall_time_s, tokens_per_second, config.
nlohmann::json run_summary(const std::string& platform, const cli_options& options, const nlohmann::json& config,
                           std::size_t tokens, double wall_time_s);

}  // namespace gcasim::platform
