#include "config/model_config.h"

namespace gcasim::config {

namespace {

using t = param_table<model_config>;

std::vector<t::param> shape_keys()
{
    return {
        t::integer(GCASIM_KEY(layers), 12, 1, 4096, "", "Decoder layers of the model, each with `heads` heads")
            .from(paper("GPT-2: 12 / 24 / 36 / 48 layers for small / medium / large / XL (Radford et al. 2019)")),
        t::integer(GCASIM_KEY(mlp_ratio), 4, 1, 64, "", "MLP width as a multiple of d_model = heads x head_dim")
            .from(paper("GPT-2: MLP of 4 x d_model (Radford et al. 2019)")),
        t::integer(GCASIM_KEY(vocab), 50257, 2, 1 << 24, "tokens",
                   "Vocabulary: rows of the token embedding and of the tied LM head")
            .from(paper("GPT-2 byte-pair vocabulary of 50 257 tokens (Radford et al. 2019)")),
        t::integer(GCASIM_KEY(context), 1024, 1, 1 << 20, "tokens",
                   "Positions of the model: rows of the positional embedding; a sequence longer than this "
                   "starts over")
            .from(paper("GPT-2 context of 1024 tokens (hardware.md section 1)")),
    };
}

std::vector<t::param> run_keys()
{
    return {
        t::integer(GCASIM_KEY(batch), 1, 1, 4096, "sequences",
                   "Sequences in flight, each with its own attention arrays (area grows with it)")
            .from(assumed("one sequence, the paper's setting")),
        t::integer(GCASIM_KEY(micro_batch), 0, 0, 4096, "sequences",
                   "Sequences a layer runs together, sharing one weight stream; batch / micro_batch groups "
                   "rotate through the layers (0 = the whole batch: batching; 1: pipelining). batch must "
                   "be a multiple of it")
            .from(assumed("0: the whole batch in one group")),
        t::choice(GCASIM_KEY(token_timing), timing_mode::derived,
                  {{"derived", timing_mode::derived}, {"fixed", timing_mode::fixed}},
                  "When a sequence's next token enters: derived = when the previous one has left the model; "
                  "fixed = token t at t x timing.token_period_ns (a trained model's runs use fixed)"),
        t::choice(GCASIM_KEY(digital), digital_mode::engine,
                  {{"engine", digital_mode::engine}, {"off", digital_mode::off}},
                  "Digital parts (projections, MLP, LayerNorm, embedding, head): engine = timed and priced on "
                  "the digital engines (engine.*, memory.*); off = no time, energy or area (the paper's "
                  "attention-only accounting)"),
    };
}

}  // namespace

const param_table<model_config>& model_params()
{
    static const t table("model", [] {
        std::vector<t::param> keys = shape_keys();
        for (t::param& p : run_keys())
            keys.push_back(std::move(p));
        return keys;
    }());
    return table;
}

void add_model_shape_params(param_schema& schema)
{
    static const t table("model", shape_keys());
    table.add_to(schema);
}

void add_model_params(param_schema& schema) { model_params().add_to(schema); }

model_config parse_model_config(const nlohmann::json& config)
{
    model_config m = model_params().parse(config);
    if (m.micro_batch > m.batch || m.batch % m.group_size() != 0)
        throw config_error("config key 'model.micro_batch': value " + std::to_string(m.micro_batch) +
                           " does not divide model.batch = " + std::to_string(m.batch) +
                           "; allowed: 0 (the whole batch) or a divisor of model.batch");
    return m;
}

std::string to_string(timing_mode timing) { return timing == timing_mode::fixed ? "fixed" : "derived"; }
std::string to_string(digital_mode digital) { return digital == digital_mode::engine ? "engine" : "off"; }

}  // namespace gcasim::config
