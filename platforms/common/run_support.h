// Pieces every platform run needs: its input stream and the common part of summary.json.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/head_config.h"
#include "platform_cli.h"
#include "token_stream.h"

namespace gcasim::platform {

/// --input FILE {"q","k","v"} (first --tokens rows) or seeded synthetic inputs of --tokens
/// (default `default_tokens`) shaped by the config's input.* keys.
token_stream load_head_input(const cli_options& options, const nlohmann::json& config,
                             std::size_t default_tokens);

/// --input FILE {"heads": [{"q","k","v"}, ...]} with one entry per head, or `heads` synthetic
/// streams (head h seeded from --seed and h).
std::vector<token_stream> load_layer_inputs(const cli_options& options, const nlohmann::json& config,
                                            std::size_t heads, std::size_t default_tokens);

/// Keep the first `tokens` rows of a stream (error if it has fewer).
void truncate_stream(token_stream& stream, std::size_t tokens, const std::string& what);

/// platform, tokens, seed, input, simulated_time_ns (now), wall_time_s, tokens_per_second, config.
nlohmann::json run_summary(const std::string& platform, const cli_options& options, const nlohmann::json& config,
                           std::size_t tokens, double wall_time_s);

}  // namespace gcasim::platform
