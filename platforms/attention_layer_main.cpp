// Platform `attention_layer`: a transformer attention layer (GPT-2 small by default: 12 heads,
// d = 64, window 1024) in gain-cell hardware. Writes summary.json (latency, energy per component),
// energy.csv (one row per token), output.json (each head's outputs) and, when switched on,
// trace.vcd (GTKWave) and timeline.json (Perfetto).
#include <systemc>

#include "common/data_dir.h"
#include "common/io.h"
#include "common/layer_run.h"
#include "common/platform_cli.h"
#include "common/run_support.h"
#include "config/head_config.h"
#include "config/platform_params.h"
#include "config/run_config.h"
#include "util/atomic_file.h"

using namespace gcasim;
using nlohmann::json;

namespace {

/// Every head's outputs, T x d each.
class layer_recorder : public token_observer {
public:
    layer_recorder(std::size_t heads, std::size_t tokens, std::size_t dim)
        : tokens_(tokens), dim_(dim), out_(heads, std::vector<double>(tokens * dim, 0.0))
    {
    }

    void on_token(const token_result& r) override
    {
        std::copy(r.output.begin(), r.output.end(), out_[r.head].begin() + r.token * dim_);
    }

    /// The first `finished` tokens (all of them unless the run was interrupted).
    void write(std::ostream& os, std::size_t finished) const
    {
        os << "{\"heads\": [";
        for (std::size_t h = 0; h < out_.size(); ++h) {
            os << (h ? ",\n{" : "\n{");
            platform::write_matrix(os, "out", out_[h], finished, dim_, dim_);
            os << "}";
        }
        os << "]}\n";
    }

private:
    std::size_t tokens_, dim_;
    std::vector<std::vector<double>> out_;
};

void run(const platform::cli_options& options, const json& config)
{
    const config::layer_platform_config layer = config::layer_platform_params().parse(config);
    const std::size_t heads = layer.heads;
    const bool write_outputs = layer.output.head_outputs;
    const config::head_config head = config::parse_head_config(config);
    const std::vector<token_stream> inputs =
        platform::load_layer_inputs(options, config, heads, 1280, [&](std::size_t tokens) {
            std::vector<platform::memory_part> parts = platform::layer_memory(head, heads, tokens, "heads");
            if (write_outputs)
                parts.push_back({"output.head_outputs (--tokens x head_dim x heads x 8 bytes)",
                                 static_cast<double>(tokens) * head.head_dim * static_cast<double>(heads) * 8});
            platform::check_memory(parts);
        });

    layer_recorder recorder(write_outputs ? heads : 0, inputs[0].tokens, inputs[0].dim);
    platform::output_set outputs(options.out_dir, platform::run_output_names());
    platform::layer_result result = platform::simulate_layer(
        {"attention_layer", &options, &config, &inputs, write_outputs ? &recorder : nullptr, &outputs});
    if (write_outputs) {
        recorder.write(outputs.add("output.json").stream(), result.summary["tokens"].get<std::size_t>());
        result.summary["files"]["output"] = outputs.path("output.json");
    }
    platform::finish_run(outputs, result, options.out_dir);
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    platform::platform_info info;
    info.name = "attention_layer";
    info.summary = "Simulate a transformer attention layer of analog gain-cell heads (SystemC/TLM-2.0).";
    info.default_config = (platform::config_dir() / "gpt2_layer.json").string();
    info.default_out = "out/attention_layer";
    info.default_tokens = 1280;
    info.add_params = [](config::param_schema& s) { config::add_platform_params(s, "attention_layer"); };
    return platform::run_platform(argc, argv, info, [](const platform::cli_options& options, const json& config) {
        platform::out_of_memory_as_failure([&] { run(options, config); });
    });
}
