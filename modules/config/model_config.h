// The shape and the run of a whole GPT-2-style model on the chip (issue 14): the keys model.*,
// declared once in model_params() (model_config.cpp). The attention of each layer is the head's
// and the layer's keys (heads, head_dim, window, ...); d_model = heads x head_dim.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "config/param_table.h"

namespace gcasim::config {

/// When a sequence's next token enters the model.
enum class timing_mode {
    fixed,    ///< token t at t x timing.token_period_ns (later when the model is still busy)
    derived,  ///< as soon as the previous token of the sequence has left the model
};

/// Whether the digital parts (projections, MLP, LayerNorm, embedding, head) are timed and priced.
enum class digital_mode {
    engine,  ///< on the digital engines (engine.*, memory.*)
    off,     ///< no time, no energy, no area: the paper's attention-only accounting
};

struct model_config {
    std::size_t layers{};       ///< model.layers: decoder layers
    std::size_t mlp_ratio{};    ///< model.mlp_ratio: MLP width / d_model
    std::size_t vocab{};        ///< model.vocab: tokens of the vocabulary (rows of the embedding and the head)
    std::size_t context{};      ///< model.context: positions (rows of the positional embedding)
    std::size_t batch{};        ///< model.batch: sequences in flight (each with its own KV arrays)
    std::size_t micro_batch{};  ///< model.micro_batch: sequences a layer runs together (0 = the whole batch)
    timing_mode token_timing{};  ///< model.token_timing
    digital_mode digital{};     ///< model.digital

    /// The micro-batch size m (micro_batch, or batch when 0).
    std::size_t group_size() const { return micro_batch == 0 ? batch : micro_batch; }
    /// Micro-batches rotating through the layers: batch / m.
    std::size_t groups() const { return batch / group_size(); }
};

/// The keys model.*: the one declaration of each.
const param_table<model_config>& model_params();
/// Adds the model.* shape keys (layers, mlp_ratio, vocab, context): a platform that runs one
/// layer of such a model accepts its presets.
void add_model_shape_params(param_schema& schema);
/// Adds every model.* key (the whole-model platform).
void add_model_params(param_schema& schema);

/// The model of a validated nested config with every model.* key; config_error naming the key
/// when model.batch is not a multiple of model.micro_batch.
model_config parse_model_config(const nlohmann::json& config);

std::string to_string(timing_mode timing);
std::string to_string(digital_mode digital);

}  // namespace gcasim::config
