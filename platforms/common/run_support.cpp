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

namespace {

/// Synthetic streams are held in memory: refuse sizes that cannot fit rather than fail midway.
void check_stream_size(std::size_t tokens, std::size_t dim, std::size_t heads)
{
    const double bytes = static_cast<double>(tokens) * static_cast<double>(dim) * 3.0 * 8.0 * static_cast<double>(heads);
    const double limit = 16.0 * (1u << 30);
    if (bytes > limit)
        throw config::config_error("--tokens " + std::to_string(tokens) + ": the input streams would need " +
                                   std::to_string(static_cast<long long>(bytes / (1u << 30))) +
                                   " GiB; allowed: up to 16 GiB (tokens x head_dim x heads x 24 bytes)");
}

}  // namespace

token_stream load_head_input(const cli_options& options, const json& config, std::size_t default_tokens)
{
    const config::head_config head = config::parse_head_config(config);
    if (options.input_file.empty())
        check_stream_size(options.tokens.value_or(default_tokens), head.head_dim, 1);
    if (options.input_file.empty())
        return random_token_stream(options.tokens.value_or(default_tokens), head.head_dim, head.cell.v_max,
                                   options.seed, config::parse_input_config(config));
    const std::string what = "input file '" + options.input_file + "'";
    token_stream s = parse_token_stream(config::read_json_file(options.input_file, "input file"), head.head_dim,
                                        head.cell.v_max, what);
    if (options.tokens)
        truncate_stream(s, *options.tokens, what);
    return s;
}

std::vector<token_stream> load_layer_inputs(const cli_options& options, const json& config, std::size_t heads,
                                            std::size_t default_tokens)
{
    const config::head_config head = config::parse_head_config(config);
    std::vector<token_stream> streams;
    if (options.input_file.empty()) {
        check_stream_size(options.tokens.value_or(default_tokens), head.head_dim, heads);
        const config::input_config shape = config::parse_input_config(config);
        splitmix64 seeds(options.seed);
        for (std::size_t h = 0; h < heads; ++h)
            streams.push_back(random_token_stream(options.tokens.value_or(default_tokens), head.head_dim,
                                                  head.cell.v_max, seeds.next(), shape));
        return streams;
    }
    const std::string what = "input file '" + options.input_file + "'";
    const json doc = config::read_json_file(options.input_file, "input file");
    if (!doc.is_object() || !doc.contains("heads") || !doc["heads"].is_array())
        throw config::config_error(what + ": expected {\"heads\": [{\"q\": ..., \"k\": ..., \"v\": ...}, ...]}");
    if (doc["heads"].size() != heads)
        throw config::config_error(what + ": has " + std::to_string(doc["heads"].size()) +
                                   " heads, config key 'heads' says " + std::to_string(heads));
    for (std::size_t h = 0; h < heads; ++h) {
        const std::string where = what + " head " + std::to_string(h);
        streams.push_back(parse_token_stream(doc["heads"][h], head.head_dim, head.cell.v_max, where));
        if (streams[h].tokens != streams[0].tokens)
            throw config::config_error(where + ": " + std::to_string(streams[h].tokens) + " tokens, head 0 has " +
                                       std::to_string(streams[0].tokens));
    }
    if (options.tokens)
        for (auto& s : streams)
            truncate_stream(s, *options.tokens, what);
    return streams;
}

json run_summary(const std::string& platform, const cli_options& options, const json& config, std::size_t tokens,
                 double wall_time_s)
{
    json s;
    s["platform"] = platform;
    s["tokens"] = tokens;
    s["seed"] = options.seed;
    s["input"] = options.input_file.empty() ? "random" : options.input_file;
    s["simulated_time_ns"] = sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS);
    s["wall_time_s"] = wall_time_s;
    s["tokens_per_second"] = wall_time_s > 0 ? static_cast<double>(tokens) / wall_time_s : 0.0;
    s["config"] = config;
    return s;
}

}  // namespace gcasim::platform
