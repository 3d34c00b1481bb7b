// libFuzzer harness for the input loader: the bytes are the --input file of
//   1. attention_head: platform::load_head_input ({"q","k","v"}: read_json_file, parse_token_stream),
//      once with all rows and once with --tokens 1 (truncate_stream);
//   2. attention_layer: platform::load_layer_inputs ({"heads": [{"q","k","v"}, ...]}, heads = 2).
// Both load the file by name (they take cli_options::input_file), so the bytes sit in an in-memory
// file. The configs are the platforms' defaults with head_dim = 2, so that short inputs have valid
// shapes. Expected: success, or a config_error with a one-line message. An accepted stream must
// have the shapes and ranges the simulation relies on.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/platform_cli.h"
#include "common/run_support.h"
#include "fuzz_support.h"

using namespace gcasim;
using nlohmann::json;

namespace {

constexpr std::size_t dim = 2;
constexpr std::size_t heads = 2;

const json& head_config()
{
    static const json config = platform::load_config(fuzz::head_schema(), "", {"head_dim=2"});
    return config;
}

const json& layer_config()
{
    static const json config = platform::load_config(fuzz::layer_schema(), "", {"head_dim=2", "heads=2"});
    return config;
}

fuzz::memory_file& scratch()
{
    static fuzz::memory_file file;
    return file;
}

void check_stream(const token_stream& s, double v_max, const std::string& context)
{
    if (s.tokens == 0 || s.dim != dim)
        fuzz::finding(context + ": accepted stream has " + std::to_string(s.tokens) + " tokens of dim " +
                      std::to_string(s.dim));
    for (const std::vector<double>* m : {&s.q, &s.k, &s.v})
        if (m->size() != s.tokens * s.dim)
            fuzz::finding(context + ": accepted stream has a matrix of " + std::to_string(m->size()) +
                          " values, expected " + std::to_string(s.tokens * s.dim));
    for (double x : s.q)
        if (!(x >= 0.0 && x <= 1.0))
            fuzz::finding(context + ": accepted q value " + std::to_string(x) + " outside [0, 1]");
    for (const std::vector<double>* m : {&s.k, &s.v})
        for (double x : *m)
            if (!(x >= 0.0 && x <= v_max))
                fuzz::finding(context + ": accepted k/v value " + std::to_string(x) + " outside [0, v_max]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::memory_file& file = scratch();
    file.assign(std::string(reinterpret_cast<const char*>(data), size));
    const double v_max = config::at_path(head_config(), "cell.v_max").get<double>();

    platform::cli_options options;
    options.input_file = file.path();
    for (const bool truncate : {false, true}) {
        const std::string context = truncate ? "attention_head --input --tokens 1" : "attention_head --input";
        options.tokens.reset();
        if (truncate)
            options.tokens = 1;
        try {
            const token_stream s = platform::load_head_input(options, head_config(), 256);
            check_stream(s, v_max, context);
            if (truncate && s.tokens != 1)
                fuzz::finding(context + ": truncated stream has " + std::to_string(s.tokens) + " tokens");
        } catch (const config::config_error& e) {
            fuzz::check_message(e.what(), context);
        }
    }

    options.tokens.reset();
    try {
        const std::vector<token_stream> streams = platform::load_layer_inputs(options, layer_config(), heads, 1280);
        if (streams.size() != heads)
            fuzz::finding("attention_layer --input: " + std::to_string(streams.size()) + " streams for 2 heads");
        for (const token_stream& s : streams) {
            check_stream(s, v_max, "attention_layer --input");
            if (s.tokens != streams[0].tokens)
                fuzz::finding("attention_layer --input: heads with different token counts accepted");
        }
    } catch (const config::config_error& e) {
        fuzz::check_message(e.what(), "attention_layer --input");
    }
    return 0;
}
