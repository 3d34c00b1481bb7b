// The whole model on the chip (issue 14): one decoder_layer stage per model layer (its digital
// engine + one attention_layer per sequence in flight), one more engine for the embedding and the
// LM head, and the off-chip memory that every engine streams its non-resident weights from. The
// batch's sequences move in micro-batches of model.micro_batch; each micro-batch has a feeder
// thread that embeds its next token, sends it through the layers in order and, once it is back,
// runs ln_f and the LM head (autoregressive: a sequence's next token needs the previous one). The
// micro-batches rotate through the stages, so with several of them the layers work on different
// sequences at once. A sequence's token t enters at t x timing.token_period_ns (model.token_timing
// = fixed; later when the model is still busy) or as soon as the previous token has left (derived).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "config/engine_config.h"
#include "config/head_config.h"
#include "config/model_config.h"
#include "decoder_layer.h"
#include "device/digital_cost.h"
#include "digital_engine.h"
#include "model_numerics.h"
#include "offchip_memory.h"

namespace gcasim::model {

class model_hardware : public sc_core::sc_module {
public:
    struct params {
        config::model_config model;
        device::decoder_shape shape;
        config::engine_config engine;
        config::memory_config memory;
        std::size_t threads = 1;  ///< of each attention_layer's MAC arithmetic
    };

    /// The token times of one sequence: when each entered the model and when it left (logits ready).
    struct sequence_times {
        std::vector<sc_core::sc_time> entered, left;
    };

    std::vector<std::unique_ptr<decoder_layer>> layers;
    /// One per layer (same index), then the embedding and LM head's; empty when model.digital = off.
    std::vector<std::unique_ptr<digital_engine>> engines;
    std::unique_ptr<offchip_memory> memory;  ///< null when model.digital = off
    /// To the embedding and LM head's engine (engines.back()).
    tlm_utils::simple_initiator_socket_optional<model_hardware> head_engine;

    SC_HAS_PROCESS(model_hardware);
    model_hardware(const sc_core::sc_module_name& name, const config::head_config& head, const params& p,
                   model_numerics& numerics);

    /// Tears down the newest modules first (decoder_layer.cpp says why).
    ~model_hardware() override;

    /// Checked before each token: true ends the run there (e.g. Ctrl-C). Never, unless set.
    void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }

    const params& parameters() const { return params_; }
    bool digital() const { return !engines.empty(); }
    /// Per sequence of the batch.
    const std::vector<sequence_times>& times() const { return times_; }
    /// Tokens that entered after their slot (model.token_timing = fixed: the model was still busy).
    std::size_t late_tokens() const { return late_tokens_; }
    /// Tokens that have left the model, over all sequences.
    std::size_t tokens_done() const;
    /// Per token, over all sequences in order of sequence then token: from entering to leaving.
    std::vector<sc_core::sc_time> token_latency() const;
    /// Hears each stage finish a micro-batch's token: `stage` = the layer's index once its pass is done,
    /// or layers.size() once the embedding and LM head are (the token has left the model).
    void on_pass(std::function<void(std::size_t stage, const micro_batch&)> listener) { pass_listener_ = std::move(listener); }
    /// The embedding and LM head engine's energy on micro-batch `group`'s current token.
    const digital_engine::energy_spent& head_energy(std::size_t group) const { return head_energy_[group]; }
    /// Spans of the embedding and LM head's work, one per op as the engine ran it (the timeline's head track).
    const std::vector<decoder_layer::span>& head_spans() const { return head_spans_; }

private:
    void build_engines(const config::head_config& head);
    /// The feeder of micro-batch `group`: its tokens one after another through the whole model.
    void feed(std::size_t group);
    /// `ops` on the head's engine for a micro-batch; a span per op.
    void run_head_ops(const std::vector<device::digital_op>& ops, const micro_batch& batch);
    /// Every feeder is done: the heads waiting for more tokens end.
    void close_layers();

    params params_;
    model_numerics& numerics_;
    std::function<bool()> stop_;
    sc_core::sc_time token_period_;  ///< timing.token_period_ns: the slots of model.token_timing = fixed
    std::vector<device::digital_op> embedding_ops_, head_ops_;
    bool head_weights_resident_ = false;
    std::vector<std::unique_ptr<sc_core::sc_fifo<micro_batch>>> returns_;  ///< [group]: back from the last layer
    std::vector<sequence_times> times_;
    std::vector<decoder_layer::span> head_spans_;
    std::vector<digital_engine::energy_spent> head_energy_;  ///< [group]: of its current token
    std::function<void(std::size_t, const micro_batch&)> pass_listener_;
    std::size_t late_tokens_ = 0, feeders_done_ = 0;
};

}  // namespace gcasim::model
