// libFuzzer harness for the config loader: the bytes go through the path of the CLI's --config and
// --set (platform::load_config: read_json_file with its line/column report, schema.validate,
// merge_into, apply_override, validate again) and then through every parser the platforms call
// (parse_head_config with its cross-key rules, parse_trace/input_config, sim.threads), for the schemas of
// both platforms:
//   1. the bytes as the --config file;
//   2. the bytes as --set assignments, one per line.
// Expected: success, or a config_error with a one-line message. Beyond crashes and stray exceptions
// it checks that an accepted config holds exactly the schema's keys where the parsers look them up
// (nothing accepted and then ignored), and that it reads back the same after dump().
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/platform_cli.h"
#include "fuzz_support.h"

using namespace gcasim;
using nlohmann::json;

namespace {

struct platform_schema {
    const char* name;
    config::param_schema schema;
    bool layer;
};

const std::vector<platform_schema>& schemas()
{
    static const std::vector<platform_schema> all{{"attention_head", fuzz::head_schema(), false},
                                                  {"attention_layer", fuzz::layer_schema(), true}};
    return all;
}

fuzz::memory_file& scratch()
{
    static fuzz::memory_file file;
    return file;
}

/// Every leaf of the accepted config must be a schema key, found where at_path (the parsers) looks.
void check_complete(const platform_schema& p, const json& config, const std::string& context)
{
    std::size_t leaves = 0;
    std::vector<std::pair<std::string, const json*>> stack{{"", &config}};
    while (!stack.empty()) {
        const auto [prefix, node] = stack.back();
        stack.pop_back();
        for (auto it = node->begin(); it != node->end(); ++it) {
            const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
            if (it.value().is_object() && !p.schema.find(path)) {
                stack.emplace_back(path, &it.value());
                continue;
            }
            ++leaves;
            if (!p.schema.find(path))
                fuzz::finding(context + ": accepted config has key '" + path + "' that is not in the schema");
            const json* seen = nullptr;
            try {
                seen = &config::at_path(config, path);
            } catch (const config::config_error&) {
            }
            if (seen != &it.value())
                fuzz::finding(context + ": accepted config key '" + path + "' = " + it.value().dump() +
                              " is not where the parsers read it (at_path gives " +
                              (seen ? seen->dump() : std::string("nothing")) + "): the value is ignored");
        }
    }
    if (leaves != p.schema.params().size())
        fuzz::finding(context + ": accepted config has " + std::to_string(leaves) + " keys, the schema " +
                      std::to_string(p.schema.params().size()));
}

/// What the platforms do with a validated config before they simulate.
void parse_everything(const platform_schema& p, const json& config)
{
    const config::head_config head = config::parse_head_config(config);
    (void)config::parse_trace_config(config);
    (void)config::parse_input_config(config);
    (void)config::parse_sim_threads(config);
    (void)config::at_path(config, "output.reference_error").get<bool>();
    if (head.sub_tiles() < 1 || head.ring_slots() < head.window)
        fuzz::finding("parse_head_config: " + std::to_string(head.sub_tiles()) + " sub-tiles, " +
                      std::to_string(head.ring_slots()) + " ring slots for window " + std::to_string(head.window));
    if (p.layer)
        (void)config::at_path(config, "heads").get<std::size_t>();
    (void)config::at_path(config, p.layer ? "output.head_outputs" : "output.attention_matrices").get<bool>();
}

/// load_config + parse; true if accepted. Any config_error must be one line.
bool try_load(const platform_schema& p, const std::string& file, const std::vector<std::string>& overrides,
              const std::string& context, json* loaded)
{
    try {
        json config = platform::load_config(p.schema, file, overrides);
        check_complete(p, config, context);
        parse_everything(p, config);
        if (loaded)
            *loaded = std::move(config);
        return true;
    } catch (const config::config_error& e) {
        fuzz::check_message(e.what(), context);
        return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> assignments = fuzz::split_lines(bytes);
    fuzz::memory_file& file = scratch();
    for (const platform_schema& p : schemas()) {
        // 1. The bytes as the --config file.
        file.assign(bytes);
        json loaded;
        if (try_load(p, file.path(), {}, std::string(p.name) + " --config", &loaded)) {
            // An accepted config written out (summary.json does) must read back the same.
            file.assign(loaded.dump());
            json again;
            if (!try_load(p, file.path(), {}, std::string(p.name) + " --config (dumped)", &again) || again != loaded)
                fuzz::finding(std::string(p.name) + ": accepted config does not read back the same after dump()");
        }
        // 2. The bytes as --set assignments, one per line, over the defaults.
        if (!assignments.empty())
            try_load(p, "", assignments, std::string(p.name) + " --set", nullptr);
    }
    return 0;
}
