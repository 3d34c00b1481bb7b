#include "run_support.h"

#include <systemc>

#include "io.h"

namespace gcasim::platform {

using nlohmann::json;

void truncate_stream(token_stream& s, std::size_t tokens, const std::string& what)
{
    if (tokens > s.tokens)
        throw config::config_error("--tokens " + std::to_string(tokens) + " exceeds the " +
                                   std::to_string(s.tokens) + " tokens of " + what);
    s.tokens = tokens;
    s.q.resize(tokens * s.dim);
    s.k.resize(tokens * s.dim);
    s.v.resize(tokens * s.dim);
}

token_stream load_head_input(const cli_options& options, const config::head_config& head,
                             std::size_t default_tokens)
{
    if (options.input_file.empty())
        return random_token_stream(options.tokens.value_or(default_tokens), head.head_dim, head.cell.v_max,
                                   options.seed);
    const std::string what = "input file '" + options.input_file + "'";
    token_stream s = parse_token_stream(config::read_json_file(options.input_file, "input file"), head.head_dim,
                                        head.cell.v_max, what);
    if (options.tokens)
        truncate_stream(s, *options.tokens, what);
    return s;
}

json run_summary(const std::string& platform, const cli_options& options, const json& config, std::size_t tokens,
                 double wall_time_s)
{
    json s;
    s["platform"] = platform;
    s["tokens"] = tokens;
    s["seed"] = options.seed;
    s["input"] = options.input_file.empty() ? "random" : options.input_file;
    s["simulated_time_ns"] = sc_core::sc_time_stamp().to_seconds() * 1e9;
    s["wall_time_s"] = wall_time_s;
    s["tokens_per_second"] = wall_time_s > 0 ? static_cast<double>(tokens) / wall_time_s : 0.0;
    s["config"] = config;
    return s;
}

}  // namespace gcasim::platform
