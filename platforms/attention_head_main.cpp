// Platform `attention_head`: one analog attention head on a token stream. Writes output.json
// (S, phi, out), energy.csv, summary.json and, when switched on, trace.vcd and timeline.json.
#include <iostream>

#include <systemc>

#include "common/data_dir.h"
#include "common/io.h"
#include "common/layer_run.h"
#include "common/platform_cli.h"
#include "common/run_support.h"
#include "config/head_config.h"
#include "config/platform_params.h"
#include "config/rules.h"
#include "config/run_config.h"
#include "util/atomic_file.h"

using namespace gcasim;
using nlohmann::json;

namespace {

/// Collects the per-token results as dense T x T (S, phi) and T x d (out) matrices.
class head_recorder : public token_observer {
public:
    head_recorder(std::size_t tokens, std::size_t dim, bool matrices)
        : tokens_(tokens), dim_(dim), matrices_(matrices), out_(tokens * dim, 0.0)
    {
        if (matrices) {
            scores_.assign(tokens * tokens, 0.0);
            pulses_.assign(tokens * tokens, 0.0);
        }
    }

    void on_token(const token_result& r) override
    {
        std::copy(r.output.begin(), r.output.end(), out_.begin() + r.token * dim_);
        if (!matrices_)
            return;
        for (std::size_t slot = 0; slot < r.slot_token.size(); ++slot) {
            if (!r.visible[slot])
                continue;
            const std::size_t s = static_cast<std::size_t>(r.slot_token[slot]);
            scores_[r.token * tokens_ + s] = r.scores[slot];
            pulses_[r.token * tokens_ + s] = r.pulses[slot];
        }
    }

    /// The first `finished` tokens (all of them unless the run was interrupted).
    void write(std::ostream& os, std::size_t finished) const
    {
        os << "{";
        if (matrices_) {
            platform::write_matrix(os, "S", scores_, finished, finished, tokens_);
            os << ",\n";
            platform::write_matrix(os, "phi", pulses_, finished, finished, tokens_);
            os << ",\n";
        }
        platform::write_matrix(os, "out", out_, finished, dim_, dim_);
        os << "}\n";
    }

private:
    std::size_t tokens_, dim_;
    bool matrices_;
    std::vector<double> scores_, pulses_, out_;
};

/// The T x T limit of output.attention_matrices, then the memory of the whole run.
void check_run(const config::head_config& head, bool matrices, std::size_t tokens)
{
    config::check_attention_matrices(matrices, tokens);
    std::vector<platform::memory_part> parts = platform::layer_memory(head, 1, tokens, "");
    const double t = static_cast<double>(tokens);
    parts.push_back({"output.json (--tokens x head_dim x 8 bytes)", t * head.head_dim * 8});
    if (matrices)
        parts.push_back({"output.attention_matrices (--tokens^2 x 16 bytes)", t * t * 16});
    platform::check_memory(parts);
}

void run(const platform::cli_options& options, const json& config)
{
    const bool matrices = config::head_platform_params().parse(config).output.attention_matrices;
    const config::head_config head = config::parse_head_config(config);
    std::vector<token_stream> inputs;  // not a braced list: that would copy the whole stream once
    inputs.push_back(platform::load_head_input(options, config, 256,
                                               [&](std::size_t tokens) { check_run(head, matrices, tokens); }));
    head_recorder recorder(inputs[0].tokens, inputs[0].dim, matrices);
    platform::output_set outputs(options.out_dir, platform::run_output_names());
    platform::layer_result result =
        platform::simulate_layer({"attention_head", &options, &config, &inputs, &recorder, &outputs});
    json& summary = result.summary;
    summary["ring_slots"] = head.ring_slots();

    recorder.write(outputs.add("output.json").stream(), summary["tokens"].get<std::size_t>());
    summary["files"]["output"] = outputs.path("output.json");
    platform::finish_run(outputs, result, options.out_dir);
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    platform::platform_info info;
    info.name = "attention_head";
    info.summary = "Simulate one analog gain-cell attention head (SystemC/TLM-2.0).";
    info.default_config = (platform::config_dir() / "attention_head.json").string();
    info.default_out = "out/attention_head";
    info.default_tokens = 256;
    info.add_params = [](config::param_schema& s) { config::add_platform_params(s, "attention_head"); };
    return platform::run_platform(argc, argv, info, [](const platform::cli_options& options, const json& config) {
        platform::out_of_memory_as_failure([&] { run(options, config); });
    });
}
