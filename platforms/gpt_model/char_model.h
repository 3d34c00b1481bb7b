// The trained character-level GPT of platforms/gpt_model/train_lm.py (export format: platforms/gpt_model/README.md),
// loaded from model.json + model.bin, and its digital parts: embeddings, LayerNorm, the q/k/v and
// output projections, the per-head scalers, the GELU MLP and the output head. The attention itself
// is not here: the platform runs it in the SystemC gain-cell modules. Plain C++, float32 like the
// PyTorch model (the float16 weights convert exactly).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gcasim::model {

struct model_shape {
    std::size_t layers = 0, d_model = 0, heads = 0, head_dim = 0, context = 0, mlp_hidden = 0, vocab_size = 0;
    std::size_t window = 0;  ///< 0 for softmax (no window)
    std::string attention;   ///< softmax, linear or nonlinear
    float layernorm_eps = 1e-5f;
    std::size_t inner() const { return heads * head_dim; }
};

/// The numerics the hardware variants were trained with (model.json `hardware`).
struct trained_hardware {
    int q_levels = 0, kv_levels = 0, out_levels = 0;
    double q_min = 0, q_max = 0, kv_min = 0, kv_max = 0, out_min = 0, out_max = 0;
    double offset = 0, linear_coefficient = 0, decay_per_step = 0, s_sat = 0, readout_scale = 0;
    std::size_t subtile = 0;
    std::array<double, 4> cubic_a{};
};

/// z = a * x + b (float32, as in PyTorch).
struct affine {
    float a = 1, b = 0;
    float operator()(float x) const { return a * x + b; }
};

struct head_scalers {
    affine q, k, v, out;
};

/// y = W x + b, W kept transposed ([in][out]) so that the product runs along contiguous outputs.
struct dense {
    std::size_t in = 0, out = 0;
    std::vector<float> weight_t, bias;  ///< bias empty: none
    void apply(const float* x, float* y) const;
};

struct layer_norm {
    std::vector<float> gamma, beta;
    float eps = 1e-5f;
    void apply(const float* x, float* y) const;
};

struct block {
    layer_norm ln1, ln2;
    dense qkv, proj, fc, fc_proj;
    std::vector<head_scalers> scalers;  ///< per head; empty for softmax
};

class char_model {
public:
    /// Load DIR/model.json and its binary. Bad or missing files, a binary of the wrong size or
    /// checksum, non-finite weights: config::config_error naming the file and the key.
    static char_model load(const std::string& dir);

    const model_shape& shape() const { return shape_; }
    bool has_hardware() const { return shape_.attention != "softmax"; }
    const trained_hardware& hardware() const { return hardware_; }
    const head_scalers& scalers(std::size_t layer, std::size_t head) const { return blocks_[layer].scalers[head]; }
    const nlohmann::json& header() const { return header_; }
    const std::string& dir() const { return dir_; }

    /// Token id of a Unicode code point (the unknown token for characters outside the vocabulary).
    int token_of(char32_t c) const;
    char32_t char_of(int token) const { return vocab_[static_cast<std::size_t>(token)]; }
    int unknown_token() const { return unk_; }

    /// x = tok_emb[token] + pos_emb[position] (d_model values).
    void embed(int token, std::size_t position, float* x) const;
    /// LN1 then the q/k/v projection: 3 * inner values, q (head-major), then k, then v.
    void attention_inputs(std::size_t layer, const float* x, float* qkv) const;
    /// x += proj(heads' outputs); x += MLP(LN2(x)). `attention` holds inner values, head after head.
    void finish_layer(std::size_t layer, const float* attention, float* x) const;
    /// logits = head(LN_f(x)) (vocab_size values).
    void logits(const float* x, float* out) const;

private:
    std::string dir_;
    nlohmann::json header_;
    model_shape shape_;
    trained_hardware hardware_;
    std::vector<char32_t> vocab_;  ///< by token id; the unknown token shows as U+FFFD
    int unk_ = 0;
    std::vector<float> tok_emb_, pos_emb_;
    std::vector<block> blocks_;
    layer_norm ln_f_;
    dense head_;
};

/// Cross-entropy of `target` under `logits` (nats): log-sum-exp minus the target's logit, in double.
double cross_entropy(const float* logits, std::size_t count, int target);

/// The largest model.bin read (its binary.total_bytes): 1 GiB, 2 GiB of float32 weights.
constexpr std::size_t max_binary_bytes = std::size_t(1) << 30;

/// The bytes of `path` when it holds at most `limit`, else nothing. Reads at most limit + 64 KiB,
/// so a FIFO or a device (/dev/zero) cannot make it read without end. Unreadable: config_error.
std::optional<std::string> read_at_most(const std::string& path, std::size_t limit);

/// UTF-8 to code points; throws std::invalid_argument on malformed input.
std::u32string decode_utf8(const std::string& text);
std::string encode_utf8(const std::u32string& text);

}  // namespace gcasim::model
