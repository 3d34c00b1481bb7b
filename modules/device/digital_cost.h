// The digital parts of a GPT-2 decoder as operations with counts, and what an engine pays for them
// (docs/cost_model.md, "Digital engine and memory"). Plain C++, no SystemC: the SystemC engine
// (digital_engine.h) times and prices its transactions with price(), and a report can use the same
// equations without a simulation.
//
// Counts are per token (one sequence's one position): an op run on a micro-batch of `tokens`
// sequences does `tokens` times the arithmetic but reads its weights once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/engine_config.h"

namespace gcasim::device {

using config::engine_precision;

/// The shape of a GPT-2-style decoder: d_model = heads x head_dim, an MLP of mlp_ratio x d_model,
/// the LM head tied to the token embedding (vocab x d_model), learned positions (context x d_model).
struct decoder_shape {
    std::size_t d_model, heads, head_dim, layers, mlp_ratio, vocab, context;
};

/// One operation of the digital engine, per token.
struct digital_op {
    /// ln_1, qkv, out_proj, residual_1, ln_2, mlp_fc, gelu, mlp_proj, residual_2 (a decoder layer);
    /// embedding (a wte row + a wpe row), ln_f, lm_head (tied to wte).
    std::string name;
    double macs;              ///< multiply-accumulates (matrix-vector products; the bias add is the last accumulate)
    double vector_ops;        ///< element-wise operations: LayerNorm 5, GELU 8, residual or embedding add 1 per element
    double weight_bytes;      ///< parameters the op reads per call (the whole matrix and bias; embedding: 2 rows)
    double activation_bytes;  ///< inputs and outputs of one token through the SRAM
    double parameters;        ///< parameters the op owns (embedding: wte and wpe; the tied lm_head: none)
};

/// Bytes of one weight or activation: int8 1, fp16 2, fp32 4.
double bytes_per_value(engine_precision precision);
/// Energy of one multiply-accumulate (pJ), Horowitz ISSCC 2014 at 45 nm: int8 0.2 multiply + 0.1 int32
/// add = 0.3, fp16 1.1 + 0.4 = 1.5, fp32 3.7 + 0.9 = 4.6. An element-wise op is priced as one MAC.
double mac_pj(engine_precision precision);
/// Area of one multiply-accumulate unit (um^2), Horowitz ISSCC 2014 at 45 nm: int8 282 multiply + 137
/// int32 add = 419, fp16 1640 + 1360 = 3000, fp32 7700 + 4184 = 11884. A vector lane is one such unit.
double mac_area_um2(engine_precision precision);

/// Energy of reading one byte of an SRAM of `kib` KiB (pJ): log-log interpolation of Horowitz's 64-bit
/// reads (10 pJ at 8 KB, 20 pJ at 32 KB, 100 pJ at 1 MB; / 8 per byte), outside that range the slope
/// of the nearest segment continues.
double sram_pj_per_byte(double kib);

/// A decoder layer's ops in execution order (the attention between qkv and out_proj is analog).
std::vector<digital_op> decoder_layer_ops(const decoder_shape& shape, engine_precision precision);
/// The embedding: a token's wte row plus its position's wpe row.
std::vector<digital_op> embedding_ops(const decoder_shape& shape, engine_precision precision);
/// After the last layer: ln_f and the LM head (logits over the vocabulary, tied to wte).
std::vector<digital_op> head_ops(const decoder_shape& shape, engine_precision precision);

/// Parameters of the whole model (each weight once; the LM head is tied to wte).
double parameter_count(const decoder_shape& shape);

/// What one op call costs an engine.
struct op_cost {
    double compute_ns;    ///< cycles of the MAC array and the vector unit x engine.clock_period_ns
    double stream_bytes;  ///< weight bytes read from the off-chip memory (0 when resident)
    double mac_pj;        ///< the arithmetic: MACs and element-wise ops
    double sram_pj;       ///< activations through the SRAM, and the weights when resident
    double dram_pj;       ///< stream_bytes x memory.pj_per_byte
    double stream_ns;     ///< stream_bytes / memory.bandwidth_gb_s, the memory alone (no contention)
    double total_pj() const { return mac_pj + sram_pj + dram_pj; }
};

/// An op on a micro-batch of `tokens` sequences: the arithmetic scales with tokens, the weight stream
/// does not (the micro-batch shares it). compute cycles = ceil(tokens macs / macs_per_cycle) +
/// ceil(tokens vector_ops / vector_ops_per_cycle). std::invalid_argument for tokens = 0.
op_cost price(const digital_op& op, const config::engine_config& engine, const config::memory_config& memory,
              std::size_t tokens, bool weights_resident);

/// A sequence of ops on one engine, one after another, alone on the memory (no contention): what the
/// SystemC engine gives for the same ops when nothing else uses the memory.
struct pass_cost {
    double time_ns = 0;                    ///< sum over the ops of max(compute_ns, stream_ns)
    double compute_ns = 0, stream_ns = 0;  ///< the sums of each
    double macs = 0;                       ///< tokens x MACs
    double stream_bytes = 0;
    double mac_pj = 0, sram_pj = 0, dram_pj = 0;
    double total_pj() const { return mac_pj + sram_pj + dram_pj; }
    void add(const op_cost& cost, double op_macs);
};
pass_cost price_pass(const std::vector<digital_op>& ops, const config::engine_config& engine,
                     const config::memory_config& memory, std::size_t tokens, bool weights_resident);

/// Bytes of the weights an engine holds for `ops` (their parameters at the engine's precision).
double weight_bytes_held(const std::vector<digital_op>& ops, engine_precision precision);
/// Whether `bytes` fit in an engine's SRAM (<= engine.sram_kib x 1024).
bool fits_in_sram(double bytes, const config::engine_config& engine);
/// Whether a decoder layer's weights fit in its engine's SRAM (else they stream every token).
bool layer_weights_resident(const decoder_shape& shape, const config::engine_config& engine);
/// Whether the embedding/LM-head engine's tables (wte + wpe + ln_f) fit in its SRAM.
bool head_weights_resident(const decoder_shape& shape, const config::engine_config& engine);

/// Area of one engine (um^2): its MAC array, vector unit and SRAM.
struct engine_area {
    double mac_array, vector_unit, sram;
    double total() const { return mac_array + vector_unit + sram; }
};
engine_area area_of_engine(const config::engine_config& engine);
double engine_area_um2(const config::engine_config& engine);
/// Static power of one engine (uW): its area x process.leakage_uw_per_mm2.
double engine_static_uw(const config::engine_config& engine, double leakage_uw_per_mm2);

}  // namespace gcasim::device
