#include "decoder_layer.h"

#include <algorithm>
#include <ostream>

#include "digital_engine.h"

namespace gcasim {

using namespace sc_core;

std::ostream& operator<<(std::ostream& out, const micro_batch& b)
{
    return out << "group " << b.group << " token " << b.token << " position " << b.position;
}

decoder_layer::sequence_heads::sequence_heads(std::size_t heads, std::size_t dim)
    : sources(), outputs(heads * dim, 0.0), closed_event(), dim_(dim)
{
    for (std::size_t h = 0; h < heads; ++h)
        sources.push_back(std::make_unique<streamed_source>(dim));
}

void decoder_layer::sequence_heads::on_token(const token_result& r)
{
    std::copy(r.output.begin(), r.output.end(), outputs.begin() + static_cast<long>(r.head * dim_));
}

void decoder_layer::sequence_heads::on_token_closed(std::size_t, const sc_time&)
{
    ++closed;
    closed_event.notify(SC_ZERO_TIME);
}

sc_time request_digital_op(tlm::tlm_fw_transport_if<>& engine, const device::digital_op& op, std::size_t tokens,
                           bool weights_resident, const char* who)
{
    digital_op_extension request;
    request.op = &op;
    request.tokens = tokens;
    request.weights_resident = weights_resident;
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_IGNORE_COMMAND);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(&request);
    sc_time delay = SC_ZERO_TIME;
    engine.b_transport(gp, delay);
    gp.clear_extension(&request);
    if (!gp.is_response_ok())
        SC_REPORT_ERROR(who, ("digital op '" + op.name + "' failed: " + gp.get_response_string()).c_str());
    return delay;
}

void run_digital_op(tlm::tlm_fw_transport_if<>& engine, const device::digital_op& op, std::size_t tokens,
                    bool weights_resident, const char* who)
{
    wait(request_digital_op(engine, op, tokens, weights_resident, who));
}

namespace {

std::size_t ops_before_attention(const std::vector<device::digital_op>& ops)
{
    const auto qkv = std::find_if(ops.begin(), ops.end(), [](const device::digital_op& op) { return op.name == "qkv"; });
    return qkv == ops.end() ? 0 : static_cast<std::size_t>(qkv - ops.begin()) + 1;
}

}  // namespace

decoder_layer::decoder_layer(const sc_module_name& name, const config::head_config& head, params p,
                             layer_numerics& numerics)
    : sc_module(name), engine("engine"), attention(), inbox("inbox", static_cast<int>(p.batch / p.group_size) + 1),
      params_(std::move(p)), dim_(static_cast<std::size_t>(head.head_dim)),
      attention_ops_at_(ops_before_attention(params_.ops)), numerics_(numerics), sequences_(), next_(), spans_(),
      attention_time_(SC_ZERO_TIME), digital_time_(SC_ZERO_TIME)
{
    for (std::size_t s = 0; s < params_.batch; ++s) {
        sequences_.push_back(std::make_unique<sequence_heads>(params_.heads, dim_));
        std::vector<token_source*> sources;
        for (auto& source : sequences_.back()->sources)
            sources.push_back(source.get());
        attention.push_back(std::make_unique<attention_layer>(("sequence_" + std::to_string(s)).c_str(), head, sources,
                                                              params_.threads));
        attention.back()->barrier.add_observer(sequences_.back().get());
        attention.back()->barrier.add_listener(sequences_.back().get());
    }
    SC_THREAD(work);
}

decoder_layer::~decoder_layer()
{
    // SystemC's port and export registries find a port to remove by a search from the newest one:
    // tearing down the newest modules first keeps that search short (oldest first is quadratic in
    // the ports: 30 s for GPT-2 XL's 1200 heads).
    while (!attention.empty())
        attention.pop_back();
}

void decoder_layer::close()
{
    for (auto& sequence : sequences_)
        for (auto& source : sequence->sources)
            source->close();
}

void decoder_layer::work()
{
    for (;;) {
        const micro_batch batch = inbox.read();
        run_ops(0, attention_ops_at_, batch, "digital (ln_1, qkv)");
        run_attention(batch);
        run_ops(attention_ops_at_, params_.ops.size(), batch, "digital (out_proj .. mlp, residuals)");
        next_(batch);
    }
}

void decoder_layer::run_ops(std::size_t first, std::size_t last, const micro_batch& batch, const char* what)
{
    if (first == last)
        return;
    const sc_time start = sc_time_stamp();
    for (std::size_t i = first; i < last; ++i)
        run_digital_op(*engine[0], params_.ops[i], params_.group_size, params_.weights_resident, name());
    digital_time_ += sc_time_stamp() - start;
    spans_.push_back({what, batch.group, batch.token, start, sc_time_stamp()});
}

void decoder_layer::run_attention(const micro_batch& batch)
{
    const sc_time start = sc_time_stamp();
    const std::size_t first = batch.group * params_.group_size, heads = params_.heads;
    std::vector<double> q(heads * dim_), k(heads * dim_), v(heads * dim_);
    for (std::size_t s = first; s < first + params_.group_size; ++s) {
        numerics_.attention_inputs(params_.index, s, q, k, v);
        for (std::size_t h = 0; h < heads; ++h)
            sequences_[s]->sources[h]->push(&q[h * dim_], &k[h * dim_], &v[h * dim_], batch.position == 0);
    }
    for (std::size_t s = first; s < first + params_.group_size; ++s) {
        sequence_heads& sequence = *sequences_[s];
        while (sequence.closed <= batch.token)
            wait(sequence.closed_event);
        numerics_.finish_layer(params_.index, s, sequence.outputs);
    }
    attention_time_ += sc_time_stamp() - start;
    spans_.push_back({"attention", batch.group, batch.token, start, sc_time_stamp()});
}

}  // namespace gcasim
