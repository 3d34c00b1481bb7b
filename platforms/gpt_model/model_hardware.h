// The whole language model on gcasim: one attention_layer per model layer, each head fed through a
// streamed_source, and a driver thread that runs the digital parts (char_model) between them. Per
// token, the driver computes layer l's q, k, v, hands them to layer l's heads, waits until every
// head has produced its output, finishes the layer digitally and goes on to layer l + 1: the layers
// run in series within a token, as they must (layer l + 1's inputs depend on layer l's outputs).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <systemc>

#include "attention_layer.h"
#include "char_model.h"
#include "config/head_config.h"
#include "config/run_config.h"
#include "head_monitor.h"
#include "token_source.h"

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

class model_hardware : public sc_core::sc_module {
public:
    std::vector<std::unique_ptr<attention_layer>> layers;

    SC_HAS_PROCESS(model_hardware);
    /// Token t enters layer 0 at t * token_period (or when the previous token has left the model).
    model_hardware(const sc_core::sc_module_name& name, const char_model& model, const config::head_config& head,
                   std::size_t threads, token_plan& plan);

    /// Checked before each token: true ends the run there (e.g. Ctrl-C). Never, unless set.
    void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }

    std::size_t tokens_done() const { return token_latency_.size(); }
    /// Per token: from entering layer 0 to leaving the last layer's attention (digital parts take no time).
    const std::vector<sc_core::sc_time>& token_latency() const { return token_latency_; }
    /// Tokens that entered layer 0 after their slot (the previous token was still in the model).
    std::size_t late_tokens() const { return late_tokens_; }

private:
    /// Collects one layer's head outputs of the current token; `ready` fires when the layer's token
    /// barrier closes the token (every head is in).
    class layer_outputs : public token_observer, public token_closed_listener {
    public:
        explicit layer_outputs(std::size_t heads, std::size_t dim);
        void on_token(const token_result& r) override;
        void on_token_closed(std::size_t token, const sc_core::sc_time& now) override;
        sc_core::sc_event ready;
        std::vector<double> values;  ///< head after head

    private:
        std::size_t dim_;
    };

    void drive();
    void run_layer(std::size_t layer, bool new_sequence, std::vector<float>& x);
    void close_sources();

    const char_model& model_;
    config::head_config head_;
    token_plan& plan_;
    std::function<bool()> stop_;
    std::vector<std::vector<std::unique_ptr<streamed_source>>> sources_;  ///< [layer][head]
    std::vector<std::unique_ptr<layer_outputs>> outputs_;
    std::vector<sc_core::sc_time> token_latency_;
    std::size_t late_tokens_;
};

}  // namespace gcasim::model
