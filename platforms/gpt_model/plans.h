// What the model driver feeds (model_hardware's token_plan): the evaluation protocol of
// platforms/gpt_model/README.md, and text generation. Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "char_model.h"
#include "device/random.h"
#include "model_numerics.h"

namespace gcasim::model {

/// The first `predictions` predictions of `text`: chunks of `context` inputs, each from an empty KV
/// cache at position 0; the loss at every position (train_lm.py --eval-only).
class eval_plan : public token_plan {
public:
    eval_plan(const char_model& model, const std::u32string& text, std::size_t predictions);
    std::optional<model_step> next() override;
    void on_logits(const std::vector<float>& logits) override;

    const std::vector<double>& losses() const { return losses_; }
    /// The predictions the plan makes in all.
    std::size_t predictions() const { return tokens_.empty() ? 0 : tokens_.size() - 1; }
    double mean_loss() const;
    /// Characters of the evaluated text outside the model's vocabulary (scored as its unknown token).
    std::size_t unknown_characters() const { return unknown_; }

private:
    std::vector<int> tokens_;  ///< inputs and targets: predictions + 1 tokens
    std::size_t unknown_ = 0;
    std::size_t context_, fed_;
    std::vector<double> losses_;
};

/// The prompt, then `count` generated characters, greedy (temperature 0) or sampled from
/// softmax(logits / temperature) with a seeded generator. When a sequence reaches the model's
/// context, a new one starts from the last context/2 characters (fed again).
class generate_plan : public token_plan {
public:
    generate_plan(const char_model& model, const std::u32string& prompt, std::size_t count, double temperature,
                  std::uint64_t seed);
    std::optional<model_step> next() override;
    void on_logits(const std::vector<float>& logits) override;

    std::u32string generated() const;
    /// Characters written so far, of characters_wanted().
    std::size_t characters_written() const { return history_.size() - prompt_size_; }
    std::size_t characters_wanted() const { return count_; }
    /// Characters of the prompt outside the model's vocabulary (fed as its unknown token).
    std::size_t unknown_characters() const { return unknown_; }

private:
    int pick(const std::vector<float>& logits);

    const char_model& model_;
    std::vector<int> history_;  ///< prompt, then generated tokens
    std::size_t prompt_size_, count_, context_;
    std::size_t sequence_begin_, fed_;  ///< history_[sequence_begin_, fed_) is in the KV caches
    double temperature_;
    device::splitmix64 rng_;
    std::size_t unknown_ = 0;
};

}  // namespace gcasim::model
