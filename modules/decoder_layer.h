// A decoder layer of a GPT-2-style model on the chip (issue 14): one pipeline stage. Its digital
// engine (over `engine`) runs ln_1 and the q/k/v projection, then every sequence of the micro-batch
// gets its attention on its own analog attention_layer (one per sequence in flight: separate KV
// arrays, so the sequences' heads run in parallel), then the engine runs the output projection, the
// residuals, ln_2 and the MLP, and the micro-batch goes on to the next stage. Micro-batches queue in
// `inbox`; a stage works on one at a time, so with several micro-batches in flight the layers work
// on different sequences at once (pipelining). What the numbers are (trained weights, synthetic
// inputs) is the model's: layer_numerics. docs/platforms/gpt_model.md.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "attention_layer.h"
#include "config/head_config.h"
#include "device/digital_cost.h"
#include "head_monitor.h"
#include "token_source.h"

namespace gcasim {

/// Sequences group x m ... group x m + m - 1 of the batch at one token of theirs.
struct micro_batch {
    std::size_t group = 0;
    std::size_t token = 0;     ///< the sequences' token count so far (restarts included)
    std::size_t position = 0;  ///< in the model's context: 0 opens new sequences (empty KV caches)
    bool operator==(const micro_batch& o) const { return group == o.group && token == o.token && position == o.position; }
};
std::ostream& operator<<(std::ostream& out, const micro_batch& b);

/// The numbers a layer stage moves: the model supplies them (the stage only times the work).
class layer_numerics {
public:
    virtual ~layer_numerics() = default;
    /// Sequence `sequence`'s q, k, v at `layer` (heads x head_dim each, head after head), in the
    /// hardware's ranges: after ln_1 and the q/k/v projection of its current activation.
    virtual void attention_inputs(std::size_t layer, std::size_t sequence, std::vector<double>& q,
                                  std::vector<double>& k, std::vector<double>& v) = 0;
    /// The heads' outputs of `sequence` (heads x head_dim): the rest of the layer on its activation.
    virtual void finish_layer(std::size_t layer, std::size_t sequence, const std::vector<double>& attention) = 0;
};

/// Sends `op` for `tokens` sequences to the engine behind `engine` (digital_engine::socket) and returns
/// how long from now it takes (the engine has priced it on return); an engine's error response is an
/// SC_REPORT_ERROR of `who`.
sc_core::sc_time request_digital_op(tlm::tlm_fw_transport_if<>& engine, const device::digital_op& op,
                                    std::size_t tokens, bool weights_resident, const char* who);
/// request_digital_op, then waits until the op is done.
void run_digital_op(tlm::tlm_fw_transport_if<>& engine, const device::digital_op& op, std::size_t tokens,
                    bool weights_resident, const char* who);

class decoder_layer : public sc_core::sc_module {
public:
    struct params {
        std::size_t index = 0;       ///< layer index in the model
        std::size_t heads = 0;       ///< per sequence
        std::size_t batch = 1;       ///< sequences in flight: one attention_layer each
        std::size_t group_size = 1;  ///< sequences per micro-batch
        /// The layer's digital ops in execution order (device::decoder_layer_ops); empty: the
        /// digital parts take no time (model.digital = off; `engine` stays unbound).
        std::vector<device::digital_op> ops;
        bool weights_resident = false;  ///< the layer's weights are in its engine's SRAM
        std::size_t threads = 1;        ///< of each attention_layer's MAC arithmetic
    };

    /// One span of the stage's work, for the timeline: the attention of a micro-batch, or a digital run.
    struct span {
        const char* what;  ///< "attention", "digital (ln_1, qkv)", "digital (out_proj .. residual_2)"
        std::size_t group, token;
        sc_core::sc_time start, end;
    };

    /// To the layer's digital engine (digital_engine::socket); unbound when the ops are empty.
    tlm_utils::simple_initiator_socket_optional<decoder_layer> engine;
    /// The analog attention of each sequence in flight.
    std::vector<std::unique_ptr<attention_layer>> attention;
    /// Micro-batches waiting for this stage.
    sc_core::sc_fifo<micro_batch> inbox;

    SC_HAS_PROCESS(decoder_layer);
    decoder_layer(const sc_core::sc_module_name& name, const config::head_config& head, params p,
                  layer_numerics& numerics);

    /// Tears the sequences' attention down last-built first (see the .cpp).
    ~decoder_layer() override;

    /// Where a finished micro-batch goes (the next stage's inbox, or the model's head).
    void pass_to(std::function<void(const micro_batch&)> next) { next_ = std::move(next); }
    /// No more tokens: the heads waiting for one end.
    void close();

    const params& parameters() const { return params_; }
    /// The stage's work so far, in order.
    const std::vector<span>& spans() const { return spans_; }
    /// Time the stage spent in attention and in digital ops (sums over micro-batches).
    const sc_core::sc_time& attention_time() const { return attention_time_; }
    const sc_core::sc_time& digital_time() const { return digital_time_; }

private:
    /// One sequence's heads: their sources and what they produced for the current token.
    class sequence_heads : public token_observer, public token_closed_listener {
    public:
        sequence_heads(std::size_t heads, std::size_t dim);
        void on_token(const token_result& r) override;
        void on_token_closed(std::size_t token, const sc_core::sc_time& now) override;

        std::vector<std::unique_ptr<streamed_source>> sources;
        std::vector<double> outputs;  ///< head after head
        std::size_t closed = 0;       ///< tokens every head has finished
        sc_core::sc_event closed_event;

    private:
        std::size_t dim_;
    };

    void work();
    /// The ops [first, last) on the engine for a micro-batch; their time passes.
    void run_ops(std::size_t first, std::size_t last, const micro_batch& batch, const char* what);
    void run_attention(const micro_batch& batch);

    params params_;
    std::size_t dim_;
    std::size_t attention_ops_at_;  ///< ops before this index run before the attention (ln_1, qkv)
    layer_numerics& numerics_;
    std::vector<std::unique_ptr<sequence_heads>> sequences_;
    std::function<void(const micro_batch&)> next_;
    std::vector<span> spans_;
    sc_core::sc_time attention_time_, digital_time_;
};

}  // namespace gcasim
