#include "plans.h"

#include <cmath>

namespace gcasim::model {

eval_plan::eval_plan(const char_model& model, const std::u32string& text, std::size_t predictions)
    : tokens_(), context_(model.shape().context), fed_(0), losses_()
{
    for (std::size_t i = 0; i <= predictions && i < text.size(); ++i) {
        tokens_.push_back(model.token_of(text[i]));
        unknown_ += tokens_.back() == model.unknown_token();
    }
    losses_.reserve(predictions);
}

std::optional<model_step> eval_plan::next()
{
    if (fed_ + 1 >= tokens_.size())
        return std::nullopt;
    const model_step step{tokens_[fed_], fed_ % context_};
    ++fed_;
    return step;
}

void eval_plan::on_logits(const std::vector<float>& logits)
{
    losses_.push_back(cross_entropy(logits.data(), logits.size(), tokens_[fed_]));
}

double eval_plan::mean_loss() const
{
    double sum = 0;
    for (double l : losses_)
        sum += l;
    return losses_.empty() ? 0.0 : sum / static_cast<double>(losses_.size());
}

generate_plan::generate_plan(const char_model& model, const std::u32string& prompt, std::size_t count,
                             double temperature, std::uint64_t seed)
    : model_(model), history_(), prompt_size_(prompt.size()), count_(count), context_(model.shape().context),
      sequence_begin_(0), fed_(0), temperature_(temperature), rng_(seed)
{
    for (char32_t c : prompt) {
        history_.push_back(model.token_of(c));
        unknown_ += history_.back() == model.unknown_token();
    }
}

std::optional<model_step> generate_plan::next()
{
    if (fed_ == history_.size())
        return std::nullopt;
    if (fed_ - sequence_begin_ == context_)  // the positions are used up: start over with the recent half
        sequence_begin_ = fed_ = fed_ - context_ / 2;
    const model_step step{history_[fed_], fed_ - sequence_begin_};
    ++fed_;
    return step;
}

void generate_plan::on_logits(const std::vector<float>& logits)
{
    const bool caught_up = fed_ == history_.size();  // else still feeding the prompt (or a restart)
    if (caught_up && history_.size() < prompt_size_ + count_)
        history_.push_back(pick(logits));
}

int generate_plan::pick(const std::vector<float>& logits)
{
    std::size_t best = 0;
    for (std::size_t i = 1; i < logits.size(); ++i)
        if (logits[i] > logits[best])
            best = i;
    if (temperature_ <= 0)
        return static_cast<int>(best);
    std::vector<double> weights(logits.size());
    double sum = 0;
    for (std::size_t i = 0; i < logits.size(); ++i)
        sum += weights[i] = std::exp((logits[i] - logits[best]) / temperature_);
    double u = rng_.uniform() * sum;
    for (std::size_t i = 0; i < weights.size(); ++i)
        if ((u -= weights[i]) < 0)
            return static_cast<int>(i);
    return static_cast<int>(best);
}

std::u32string generate_plan::generated() const
{
    std::u32string out;
    for (std::size_t i = prompt_size_; i < history_.size(); ++i)
        out += model_.char_of(history_[i]);
    return out;
}

}  // namespace gcasim::model
