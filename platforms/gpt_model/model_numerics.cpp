#include "model_numerics.h"

#include <algorithm>

#include "device/quantizer.h"

namespace gcasim::model {

trained_numerics::trained_numerics(const char_model& model, token_plan& plan)
    : model_(model), plan_(plan), x_(model.shape().d_model), qkv_(3 * model.shape().inner()),
      attention_(model.shape().inner()), logits_(model.shape().vocab_size)
{
}

std::optional<model_step> trained_numerics::next(std::size_t) { return plan_.next(); }

void trained_numerics::embed(std::size_t, const model_step& step) { model_.embed(step.token, step.position, x_.data()); }

void trained_numerics::attention_inputs(std::size_t layer, std::size_t, std::vector<double>& q, std::vector<double>& k,
                                        std::vector<double>& v)
{
    const model_shape& shape = model_.shape();
    const trained_hardware& hw = model_.hardware();
    const std::size_t dim = shape.head_dim, inner = shape.inner();
    model_.attention_inputs(layer, x_.data(), qkv_.data());
    // Per-head scalers a x + b, clamped to the ranges of the pulse generator and the DACs, which
    // quantize them in the hardware.
    for (std::size_t h = 0; h < shape.heads; ++h) {
        const head_scalers& s = model_.scalers(layer, h);
        for (std::size_t e = 0; e < dim; ++e) {
            q[h * dim + e] = device::clamp(s.q(qkv_[h * dim + e]), hw.q_min, hw.q_max);
            k[h * dim + e] = device::clamp(s.k(qkv_[inner + h * dim + e]), hw.kv_min, hw.kv_max);
            v[h * dim + e] = device::clamp(s.v(qkv_[2 * inner + h * dim + e]), hw.kv_min, hw.kv_max);
        }
    }
}

void trained_numerics::finish_layer(std::size_t layer, std::size_t, const std::vector<double>& attention)
{
    const model_shape& shape = model_.shape();
    const std::size_t dim = shape.head_dim;
    for (std::size_t h = 0; h < shape.heads; ++h)
        for (std::size_t e = 0; e < dim; ++e)
            attention_[h * dim + e] = model_.scalers(layer, h).out(static_cast<float>(attention[h * dim + e]));
    model_.finish_layer(layer, attention_.data(), x_.data());
}

void trained_numerics::finish_token(std::size_t)
{
    model_.logits(x_.data(), logits_.data());
    plan_.on_logits(logits_);
}

synthetic_numerics::synthetic_numerics(const params& p) : params_(p), fed_(p.batch, 0), streams_()
{
    for (std::size_t l = 0; l < p.layers; ++l)
        for (std::size_t s = 0; s < p.batch; ++s)
            for (std::size_t h = 0; h < p.heads; ++h)
                streams_.emplace_back(device::derive_seed(p.seed, l, s, h));
}

std::optional<model_step> synthetic_numerics::next(std::size_t sequence)
{
    if (fed_[sequence] == params_.tokens)
        return std::nullopt;
    const std::size_t t = fed_[sequence]++;
    return model_step{0, t % params_.context};
}

double synthetic_numerics::draw(device::splitmix64& rng, double mean, double sigma, double hi) const
{
    if (params_.inputs.distribution == config::input_distribution::gaussian)
        return std::clamp(mean + sigma * rng.normal(), 0.0, hi);
    return hi * rng.uniform();
}

void synthetic_numerics::attention_inputs(std::size_t layer, std::size_t sequence, std::vector<double>& q,
                                          std::vector<double>& k, std::vector<double>& v)
{
    const config::input_config& in = params_.inputs;
    const std::size_t dim = params_.head_dim;
    for (std::size_t h = 0; h < params_.heads; ++h) {
        device::splitmix64& rng = streams_[(layer * params_.batch + sequence) * params_.heads + h];
        for (std::size_t e = 0; e < dim; ++e)
            q[h * dim + e] = draw(rng, in.q_mean, in.q_sigma, 1.0);
        for (std::size_t e = 0; e < dim; ++e)
            k[h * dim + e] = draw(rng, in.kv_mean, in.kv_sigma, params_.v_max);
        for (std::size_t e = 0; e < dim; ++e)
            v[h * dim + e] = draw(rng, in.kv_mean, in.kv_sigma, params_.v_max);
    }
}

}  // namespace gcasim::model
