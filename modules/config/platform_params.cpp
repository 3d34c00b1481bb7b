#include "config/platform_params.h"

#include <map>
#include <sstream>
#include <stdexcept>

#include "config/engine_config.h"
#include "config/head_config.h"
#include "config/model_config.h"
#include "config/run_config.h"

namespace gcasim::config {

namespace {

param_table<layer_platform_config>::param heads_key()
{
    using t = param_table<layer_platform_config>;
    return t::integer(GCASIM_KEY(heads), 12, 1, 4096, "", "Attention heads of the layer, working in parallel")
        .from(paper("GPT-2 small: 12 heads per layer (hardware.md section 1)"));
}

}  // namespace

const param_table<layer_platform_config>& layer_heads_params()
{
    static const param_table<layer_platform_config> table("", {heads_key()});
    return table;
}

const param_table<layer_platform_config>& layer_platform_params()
{
    using t = param_table<layer_platform_config>;
    static const t table("", {
        heads_key(),
        t::boolean(GCASIM_KEY(output.head_outputs), true, "Write every head's T x d outputs into output.json"),
    });
    return table;
}

const param_table<head_platform_config>& head_platform_params()
{
    using t = param_table<head_platform_config>;
    static const t table("", {
        t::boolean(GCASIM_KEY(output.attention_matrices), true,
                   "Write the T x T matrices S and phi into output.json (T <= 4096)"),
    });
    return table;
}

const param_table<model_platform_config>& model_platform_params()
{
    using t = param_table<model_platform_config>;
    static const t table("", {
        t::boolean(GCASIM_KEY(output.timeline), false,
                   "Write timeline.json (Perfetto): one track per layer, attention and digital slices per token"),
    });
    return table;
}

const std::vector<std::string>& platform_names()
{
    static const std::vector<std::string> names{"attention_head", "attention_layer", "gpt_model"};
    return names;
}

namespace {

/// The keys of a run of synthetic or file inputs (both SystemC layer platforms).
void add_layer_run_params(param_schema& schema, input_distribution distribution)
{
    add_head_params(schema);
    add_trace_params(schema);
    add_reference_params(schema);
    add_sim_params(schema);
    add_input_params(schema, distribution);
}

std::string markdown_cell(const std::string& text)
{
    std::string out;
    for (const char c : text)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

}  // namespace

void add_platform_params(param_schema& schema, const std::string& platform)
{
    if (platform == "attention_head") {
        add_layer_run_params(schema, input_distribution::uniform);
        head_platform_params().add_to(schema);
    } else if (platform == "attention_layer") {
        add_layer_run_params(schema, input_distribution::gaussian);
        layer_platform_params().add_to(schema);
        add_model_shape_params(schema);  // so that a model preset (platforms/configs/models/) runs one of its layers
    } else if (platform == "gpt_model") {
        add_head_params(schema);
        add_sim_params(schema);
        // --mode cost: the layer platform's synthetic inputs feed every head
        add_input_params(schema, input_distribution::gaussian);
        layer_heads_params().add_to(schema);
        add_model_params(schema);
        add_engine_params(schema);
        model_platform_params().add_to(schema);
    } else {
        throw std::invalid_argument("no platform '" + platform + "'");
    }
}

bool is_cost_key(const std::string& path)
{
    static const std::vector<std::string> keys{"window", "head_dim", "heads"};
    static const std::vector<std::string> groups{"array",  "cell",    "lines",  "dac",     "c2p",    "digital",
                                                 "process", "timing", "quant", "pulse", "readout", "refresh",
                                                 "model",  "engine",  "memory"};
    for (const std::string& key : keys)
        if (path == key)
            return true;
    for (const std::string& group : groups)
        if (path.rfind(group + ".", 0) == 0)
            return true;
    return false;
}

std::string markdown_keys()
{
    // Every key in the order of its first platform, with its spec and default on each platform.
    std::vector<std::string> order;
    std::map<std::string, param_spec> spec;
    std::map<std::string, std::vector<std::pair<std::string, nlohmann::json>>> defaults;
    for (const std::string& platform : platform_names()) {
        param_schema schema;
        add_platform_params(schema, platform);
        for (const param_spec& p : schema.params()) {
            if (!spec.count(p.path)) {
                order.push_back(p.path);
                spec.emplace(p.path, p);
            }
            defaults[p.path].emplace_back(platform, p.default_value);
        }
    }
    std::ostringstream out;
    out << "| key | default | allowed | platforms | meaning | source |\n|---|---|---|---|---|---|\n";
    for (const std::string& path : order) {
        const auto& on = defaults[path];
        bool same = true;
        for (const auto& [platform, value] : on)
            same = same && value == on.front().second;
        std::string def, platforms;
        for (const auto& [platform, value] : on) {
            platforms += (platforms.empty() ? "" : ", ") + platform;
            if (!same)
                def += (def.empty() ? "" : ", ") + platform + " `" + show(value) + "`";
        }
        if (same)
            def = "`" + show(on.front().second) + "`";
        if (on.size() == platform_names().size())
            platforms = "all";
        const param_spec& p = spec.at(path);
        out << "| `" << path << "` | " << markdown_cell(def) << " | " << markdown_cell((p.type == param_type::integer ? "integer " : "") + allowed_text(p)) << " | "
            << platforms << " | " << markdown_cell(p.description) << " | " << markdown_cell(p.source) << " |\n";
    }
    return out.str();
}

}  // namespace gcasim::config
