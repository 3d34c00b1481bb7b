#define SC_INCLUDE_DYNAMIC_PROCESSES  // sc_spawn: one feeder thread per micro-batch
#include "model_hardware.h"

#include <string>

namespace gcasim::model {

using namespace sc_core;

model_hardware::model_hardware(const sc_module_name& name, const config::head_config& head, const params& p,
                               model_numerics& numerics)
    : sc_module(name), layers(), engines(), memory(), head_engine("head_engine"), params_(p), numerics_(numerics),
      stop_(), token_period_(head.timing.token_period_ns, SC_NS), returns_(), times_(p.model.batch), head_spans_(),
      head_energy_(p.model.groups()), pass_listener_()
{
    const bool digital = p.model.digital == config::digital_mode::engine;
    const std::size_t groups = p.model.groups();
    decoder_layer::params stage;
    stage.heads = p.shape.heads;
    stage.batch = p.model.batch;
    stage.group_size = p.model.group_size();
    stage.threads = p.threads;
    if (digital) {
        stage.ops = device::decoder_layer_ops(p.shape, p.engine.precision);
        stage.weights_resident = device::layer_weights_resident(p.shape, p.engine);
        embedding_ops_ = device::embedding_ops(p.shape, p.engine.precision);
        head_ops_ = device::head_ops(p.shape, p.engine.precision);
        head_weights_resident_ = device::head_weights_resident(p.shape, p.engine);
    }
    for (std::size_t l = 0; l < p.shape.layers; ++l) {
        stage.index = l;
        layers.push_back(std::make_unique<decoder_layer>(("layer_" + std::to_string(l)).c_str(), head, stage, numerics));
    }
    for (std::size_t g = 0; g < groups; ++g)
        returns_.push_back(std::make_unique<sc_fifo<micro_batch>>(static_cast<int>(groups) + 1));
    for (std::size_t l = 0; l < layers.size(); ++l)
        layers[l]->pass_to([this, l](const micro_batch& b) {
            if (pass_listener_)
                pass_listener_(l, b);
            if (l + 1 < layers.size())
                layers[l + 1]->inbox.write(b);
            else
                returns_[b.group]->write(b);
        });
    if (digital)
        build_engines(head);
    for (std::size_t g = 0; g < groups; ++g)
        sc_spawn([this, g] { feed(g); }, ("feeder_" + std::to_string(g)).c_str());
}

model_hardware::~model_hardware()
{
    engines.clear();  // built after the layers; each engine's ports are few
    while (!layers.empty())
        layers.pop_back();
}

void model_hardware::build_engines(const config::head_config& head)
{
    memory = std::make_unique<offchip_memory>("memory", params_.memory);
    const digital_engine::params engine{params_.engine, params_.memory, head.process.leakage_uw_per_mm2};
    for (std::size_t l = 0; l <= layers.size(); ++l) {
        const std::string name = l < layers.size() ? "engine_" + std::to_string(l) : std::string("head_engine_unit");
        engines.push_back(std::make_unique<digital_engine>(name.c_str(), engine));
        engines.back()->memory.bind(memory->socket);
        if (l < layers.size())
            layers[l]->engine.bind(engines.back()->socket);
        else
            head_engine.bind(engines.back()->socket);
    }
}

void model_hardware::run_head_ops(const std::vector<device::digital_op>& ops, const micro_batch& batch)
{
    if (ops.empty())
        return;
    digital_engine& unit = *engines.back();
    digital_engine::energy_spent& spent = head_energy_[batch.group];
    for (const device::digital_op& op : ops) {
        // Other micro-batches' ops run on this engine while this one waits: its energy is read here.
        const digital_engine::energy_spent before = unit.energy();
        const sc_time delay = request_digital_op(*head_engine[0], op, params_.model.group_size(), head_weights_resident_, name());
        spent.mac += unit.energy().mac - before.mac;
        spent.sram += unit.energy().sram - before.sram;
        spent.memory += unit.energy().memory - before.memory;
        // One slice per op, from when the engine ran it: micro-batches queue for this one engine.
        const digital_engine::op_record& run = unit.last_op();
        head_spans_.push_back({op.name.c_str(), batch.group, batch.token, run.start, run.start + run.duration});
        wait(delay);
    }
}

void model_hardware::feed(std::size_t group)
{
    const std::size_t m = params_.model.group_size(), first = group * m;
    const bool fixed = params_.model.token_timing == config::timing_mode::fixed;
    std::vector<model_step> steps(m);
    for (std::size_t t = 0; !(stop_ && stop_()); ++t) {
        bool done = false;
        for (std::size_t s = 0; s < m; ++s) {
            const std::optional<model_step> step = numerics_.next(first + s);
            done = done || !step;
            if (step)
                steps[s] = *step;
        }
        if (done)
            break;
        if (fixed) {
            const sc_time slot = static_cast<double>(t) * token_period_;
            if (slot > sc_time_stamp())
                wait(slot - sc_time_stamp());
            else if (slot < sc_time_stamp())
                late_tokens_ += m;
        }
        const micro_batch batch{group, t, steps.front().position};
        const sc_time entered = sc_time_stamp();
        head_energy_[group] = {};
        run_head_ops(embedding_ops_, batch);
        for (std::size_t s = 0; s < m; ++s)
            numerics_.embed(first + s, steps[s]);
        layers.front()->inbox.write(batch);
        returns_[group]->read();
        run_head_ops(head_ops_, batch);
        if (pass_listener_ && digital())
            pass_listener_(layers.size(), batch);
        for (std::size_t s = 0; s < m; ++s) {
            numerics_.finish_token(first + s);
            times_[first + s].entered.push_back(entered);
            times_[first + s].left.push_back(sc_time_stamp());
        }
    }
    if (++feeders_done_ == params_.model.groups())
        close_layers();
}

void model_hardware::close_layers()
{
    for (auto& layer : layers)
        layer->close();
}

std::size_t model_hardware::tokens_done() const
{
    std::size_t n = 0;
    for (const sequence_times& s : times_)
        n += s.left.size();
    return n;
}

std::vector<sc_time> model_hardware::token_latency() const
{
    std::vector<sc_time> latency;
    for (const sequence_times& s : times_)
        for (std::size_t t = 0; t < s.left.size(); ++t)
            latency.push_back(s.left[t] - s.entered[t]);
    return latency;
}

}  // namespace gcasim::model
