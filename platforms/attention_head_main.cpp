// Platform `attention_head`: one analog attention head on a token stream. Writes output.json
// (S, phi, out) and summary.json into the output folder.
#include <chrono>
#include <iostream>
#include <memory>

#include <systemc>

#include "attention_head.h"
#include "common/run_support.h"
#include "common/io.h"
#include "common/platform_cli.h"

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

    void write(std::ostream& os) const
    {
        os << "{";
        if (matrices_) {
            platform::write_matrix(os, "S", scores_, tokens_, tokens_);
            os << ",\n";
            platform::write_matrix(os, "phi", pulses_, tokens_, tokens_);
            os << ",\n";
        }
        platform::write_matrix(os, "out", out_, tokens_, dim_);
        os << "}\n";
    }

private:
    std::size_t tokens_, dim_;
    bool matrices_;
    std::vector<double> scores_, pulses_, out_;
};

void add_params(config::param_schema& schema)
{
    config::add_head_params(schema);
    schema.add(config::bool_param("output.attention_matrices", true,
                                  "Write the T x T matrices S and phi into output.json (T <= 4096)"));
}

void run(const platform::cli_options& options, const json& config)
{
    const config::head_config head_config = config::parse_head_config(config);
    const bool matrices = config::at_path(config, "output.attention_matrices").get<bool>();
    const token_stream input = platform::load_head_input(options, head_config, 256);
    if (matrices && input.tokens > 4096)
        throw config::config_error("config key 'output.attention_matrices': true needs --tokens <= 4096 (T x T "
                                   "matrices), got " + std::to_string(input.tokens) + "; set it to false");
    platform::prepare_output_dir(options.out_dir);

    head_recorder recorder(input.tokens, input.dim, matrices);
    attention_head head("head", head_config, input, &recorder);
    const auto wall_start = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (head.controller.tokens_done() != input.tokens)
        throw platform::runtime_failure("simulation ended after " + std::to_string(head.controller.tokens_done()) +
                                        " of " + std::to_string(input.tokens) + " tokens");

    const std::string output_path = options.out_dir + "/output.json";
    platform::write_file_atomic(output_path, [&](std::ostream& os) { recorder.write(os); });
    json summary = platform::run_summary("attention_head", options, config, input.tokens, wall_s);
    summary["sub_tiles"] = head_config.sub_tiles();
    summary["ring_slots"] = head_config.ring_slots();
    const std::string summary_path = options.out_dir + "/summary.json";
    platform::write_file_atomic(summary_path, [&](std::ostream& os) { os << summary.dump(2) << "\n"; });

    std::cout << "attention_head: " << input.tokens << " tokens, window " << head_config.window << ", "
              << head_config.sub_tiles() << " sub-tiles, simulated " << summary["simulated_time_ns"].get<double>()
              << " ns in " << wall_s << " s\n"
              << "  outputs: " << output_path << "\n           " << summary_path << "\n";
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    platform::platform_info info;
    info.name = "attention_head";
    info.summary = "Simulate one analog gain-cell attention head (SystemC/TLM-2.0).";
    info.default_config = platform::config_dir() + "/attention_head.json";
    info.default_out = "out/attention_head";
    info.default_tokens = 256;
    info.add_params = add_params;
    return platform::run_platform(argc, argv, info, run);
}
