#include "model_hardware.h"

#include <algorithm>
#include <string>

#include "device/quantizer.h"

namespace gcasim::model {

using namespace sc_core;

model_hardware::layer_outputs::layer_outputs(std::size_t heads, std::size_t dim)
    : ready(), values(heads * dim, 0.0), dim_(dim)
{
}

void model_hardware::layer_outputs::on_token(const token_result& r)
{
    std::copy(r.output.begin(), r.output.end(), values.begin() + static_cast<long>(r.head * dim_));
}

void model_hardware::layer_outputs::on_token_closed(std::size_t, const sc_time&)
{
    ready.notify(SC_ZERO_TIME);
}

model_hardware::model_hardware(const sc_module_name& name, const char_model& model, const config::head_config& head,
                               std::size_t threads, token_plan& plan)
    : sc_module(name), layers(), model_(model), head_(head), plan_(plan), stop_(), sources_(), outputs_(), token_latency_(),
      late_tokens_(0)
{
    const model_shape& shape = model.shape();
    for (std::size_t l = 0; l < shape.layers; ++l) {
        std::vector<token_source*> sources;
        sources_.emplace_back();
        for (std::size_t h = 0; h < shape.heads; ++h) {
            sources_[l].push_back(std::make_unique<streamed_source>(shape.head_dim));
            sources.push_back(sources_[l].back().get());
        }
        layers.push_back(std::make_unique<attention_layer>(("layer_" + std::to_string(l)).c_str(), head, sources, threads));
        outputs_.push_back(std::make_unique<layer_outputs>(shape.heads, shape.head_dim));
        layers.back()->barrier.add_observer(outputs_.back().get());
        layers.back()->barrier.add_listener(outputs_.back().get());
    }
    SC_THREAD(drive);
}

void model_hardware::drive()
{
    const model_shape& shape = model_.shape();
    const sc_time period(head_.timing.token_period_ns, SC_NS);
    std::vector<float> x(shape.d_model), logits(shape.vocab_size);
    for (std::size_t t = 0; !(stop_ && stop_()); ++t) {
        const std::optional<model_step> step = plan_.next();
        if (!step)
            break;
        const sc_time slot = static_cast<double>(t) * period;
        if (slot > sc_time_stamp())
            wait(slot - sc_time_stamp());
        else if (slot < sc_time_stamp())
            ++late_tokens_;
        const sc_time entered = sc_time_stamp();
        model_.embed(step->token, step->position, x.data());
        for (std::size_t l = 0; l < shape.layers; ++l)
            run_layer(l, step->position == 0, x);
        token_latency_.push_back(sc_time_stamp() - entered);
        model_.logits(x.data(), logits.data());
        plan_.on_logits(logits);
    }
    close_sources();
}

void model_hardware::run_layer(std::size_t layer, bool new_sequence, std::vector<float>& x)
{
    const model_shape& shape = model_.shape();
    const trained_hardware& hw = model_.hardware();
    const std::size_t dim = shape.head_dim, inner = shape.inner();
    std::vector<float> qkv(3 * inner), attention(inner);
    std::vector<double> q(dim), k(dim), v(dim);
    model_.attention_inputs(layer, x.data(), qkv.data());
    // Per-head scalers a x + b, clamped to the ranges of the pulse generator and the DACs, which
    // quantize them in the hardware.
    for (std::size_t h = 0; h < shape.heads; ++h) {
        const head_scalers& s = model_.scalers(layer, h);
        for (std::size_t e = 0; e < dim; ++e) {
            q[e] = device::clamp(s.q(qkv[h * dim + e]), hw.q_min, hw.q_max);
            k[e] = device::clamp(s.k(qkv[inner + h * dim + e]), hw.kv_min, hw.kv_max);
            v[e] = device::clamp(s.v(qkv[2 * inner + h * dim + e]), hw.kv_min, hw.kv_max);
        }
        sources_[layer][h]->push(q.data(), k.data(), v.data(), new_sequence);
    }
    wait(outputs_[layer]->ready);
    const std::vector<double>& out = outputs_[layer]->values;
    for (std::size_t h = 0; h < shape.heads; ++h)
        for (std::size_t e = 0; e < dim; ++e)
            attention[h * dim + e] = model_.scalers(layer, h).out(static_cast<float>(out[h * dim + e]));
    model_.finish_layer(layer, attention.data(), x.data());
}

void model_hardware::close_sources()
{
    for (auto& layer : sources_)
        for (auto& source : layer)
            source->close();
}

}  // namespace gcasim::model
