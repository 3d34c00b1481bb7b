// What the whole model computes while the hardware times it (model_hardware.h):
// - trained_numerics: a trained character model's weights and a token_plan (eval, generate), one
//   sequence; the numbers of the char model with PyTorch's parity;
// - synthetic_numerics: --mode cost, for shapes without weights: every head of every layer and
//   sequence gets seeded q, k, v of the layer platform's input statistics (input.*), and the
//   digital parts compute nothing (the engine still times and prices them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "char_model.h"
#include "config/run_config.h"
#include "decoder_layer.h"
#include "device/random.h"

namespace gcasim::model {

/// One input of the model: a token at a position of the current sequence.
struct model_step {
    int token;
    std::size_t position;  ///< 0 opens a new sequence (an empty KV cache in every head)
};

/// What the driver feeds and what it does with each prediction (evaluation, generation).
class token_plan {
public:
    virtual ~token_plan() = default;
    /// The next input, or nothing when done.
    virtual std::optional<model_step> next() = 0;
    /// The model's logits after the input just fed.
    virtual void on_logits(const std::vector<float>& logits) = 0;
};

/// The numerics of every sequence of the batch, beyond a layer's (layer_numerics).
class model_numerics : public layer_numerics {
public:
    /// The next step of `sequence`, or nothing when it is done.
    virtual std::optional<model_step> next(std::size_t sequence) = 0;
    /// The embedding of the step into the sequence's activation.
    virtual void embed(std::size_t sequence, const model_step& step) = 0;
    /// After the last layer: ln_f, the logits and what the plan does with them.
    virtual void finish_token(std::size_t sequence) = 0;
};

/// A trained char model on one sequence, fed by a token_plan.
class trained_numerics : public model_numerics {
public:
    trained_numerics(const char_model& model, token_plan& plan);

    std::optional<model_step> next(std::size_t sequence) override;
    void embed(std::size_t sequence, const model_step& step) override;
    void attention_inputs(std::size_t layer, std::size_t sequence, std::vector<double>& q, std::vector<double>& k,
                          std::vector<double>& v) override;
    void finish_layer(std::size_t layer, std::size_t sequence, const std::vector<double>& attention) override;
    void finish_token(std::size_t sequence) override;

private:
    const char_model& model_;
    token_plan& plan_;
    std::vector<float> x_, qkv_, attention_, logits_;
};

/// Seeded synthetic q, k, v for `tokens` tokens of each of `batch` sequences (positions wrap at the
/// context: a new sequence starts there).
class synthetic_numerics : public model_numerics {
public:
    struct params {
        std::size_t layers, heads, head_dim, batch, tokens, context;
        double v_max;  ///< cell.v_max: k and v range [0, v_max], q [0, 1]
        config::input_config inputs;
        std::uint64_t seed;
    };
    explicit synthetic_numerics(const params& p);

    std::optional<model_step> next(std::size_t sequence) override;
    void embed(std::size_t, const model_step&) override {}
    void attention_inputs(std::size_t layer, std::size_t sequence, std::vector<double>& q, std::vector<double>& k,
                          std::vector<double>& v) override;
    void finish_layer(std::size_t, std::size_t, const std::vector<double>&) override {}
    void finish_token(std::size_t) override {}

private:
    double draw(device::splitmix64& rng, double mean, double sigma, double hi) const;

    params params_;
    std::vector<std::size_t> fed_;              ///< tokens fed per sequence
    std::vector<device::splitmix64> streams_;  ///< [layer][sequence][head], flattened
};

}  // namespace gcasim::model
