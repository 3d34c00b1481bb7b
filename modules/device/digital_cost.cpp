#include "device/digital_cost.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gcasim::device {

namespace {

/// One row per precision: the figures of Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm,
/// 0.9 V (multiply + add; int8 accumulates in an int32 adder). Energies pJ, areas um^2.
struct precision_figures {
    double bytes;
    double multiply_pj, add_pj;
    double multiply_um2, add_um2;
};

const precision_figures& figures(engine_precision precision)
{
    static const precision_figures int8{1, 0.2, 0.1, 282, 137};
    static const precision_figures fp16{2, 1.1, 0.4, 1640, 1360};
    static const precision_figures fp32{4, 3.7, 0.9, 7700, 4184};
    switch (precision) {
    case engine_precision::int8: return int8;
    case engine_precision::fp16: return fp16;
    case engine_precision::fp32: return fp32;
    }
    throw std::invalid_argument("engine.precision: unknown value");
}

/// Horowitz's SRAM reads of 64 bits: (size KiB, pJ per byte).
struct sram_point {
    double kib, pj_per_byte;
};
constexpr sram_point sram_points[] = {{8, 10.0 / 8}, {32, 20.0 / 8}, {1024, 100.0 / 8}};

digital_op make_op(std::string name, double macs, double vector_ops, double parameters, double activations,
                   double bytes)
{
    return {std::move(name), macs, vector_ops, parameters * bytes, activations * bytes, parameters};
}

/// LayerNorm over d: mean, variance, normalise, scale and shift (5 ops per element), gain and bias.
digital_op layer_norm(std::string name, double d, double bytes)
{
    return make_op(std::move(name), 0, 5 * d, 2 * d, 2 * d, bytes);
}

/// y = W x + b, W of out x in.
digital_op linear(std::string name, double in, double out, double bytes)
{
    return make_op(std::move(name), in * out, 0, in * out + out, in + out, bytes);
}

/// x + y over d: two inputs, one output.
digital_op residual(std::string name, double d, double bytes)
{
    return make_op(std::move(name), 0, d, 0, 3 * d, bytes);
}

}  // namespace

double bytes_per_value(engine_precision precision)
{
    return figures(precision).bytes;
}

double mac_pj(engine_precision precision)
{
    const precision_figures& f = figures(precision);
    return f.multiply_pj + f.add_pj;
}

double mac_area_um2(engine_precision precision)
{
    const precision_figures& f = figures(precision);
    return f.multiply_um2 + f.add_um2;
}

double sram_pj_per_byte(double kib)
{
    if (!(kib > 0))
        throw std::invalid_argument("engine.sram_kib = " + std::to_string(kib) + ": must be > 0");
    constexpr std::size_t last = std::size(sram_points) - 1;
    // The segment whose slope applies: the one containing kib, else the nearest end's.
    std::size_t i = 0;
    while (i + 1 < last && kib > sram_points[i + 1].kib)
        ++i;
    const sram_point& a = sram_points[i];
    const sram_point& b = sram_points[i + 1];
    const double slope = std::log(b.pj_per_byte / a.pj_per_byte) / std::log(b.kib / a.kib);
    return a.pj_per_byte * std::pow(kib / a.kib, slope);
}

std::vector<digital_op> decoder_layer_ops(const decoder_shape& s, engine_precision precision)
{
    const double b = bytes_per_value(precision);
    const double d = static_cast<double>(s.d_model);
    const double f = static_cast<double>(s.mlp_ratio * s.d_model);
    return {
        layer_norm("ln_1", d, b),
        linear("qkv", d, 3 * d, b),
        linear("out_proj", d, d, b),
        residual("residual_1", d, b),
        layer_norm("ln_2", d, b),
        linear("mlp_fc", d, f, b),
        make_op("gelu", 0, 8 * f, 0, 2 * f, b),
        linear("mlp_proj", f, d, b),
        residual("residual_2", d, b),
    };
}

std::vector<digital_op> embedding_ops(const decoder_shape& s, engine_precision precision)
{
    const double b = bytes_per_value(precision);
    const double d = static_cast<double>(s.d_model);
    const double tables = static_cast<double>(s.vocab + s.context) * d;
    // Reads one row of each table and adds them: it owns both tables but streams only 2 rows.
    digital_op embedding = make_op("embedding", 0, d, tables, d, b);
    embedding.weight_bytes = 2 * d * b;
    return {embedding};
}

std::vector<digital_op> head_ops(const decoder_shape& s, engine_precision precision)
{
    const double b = bytes_per_value(precision);
    const double d = static_cast<double>(s.d_model);
    const double vocab = static_cast<double>(s.vocab);
    // The LM head is wte transposed, without a bias: it reads the whole table and owns none of it.
    digital_op lm_head = make_op("lm_head", d * vocab, 0, 0, d + vocab, b);
    lm_head.weight_bytes = d * vocab * b;
    return {layer_norm("ln_f", d, b), lm_head};
}

double parameter_count(const decoder_shape& shape)
{
    // At one byte per value, bytes held are parameters.
    constexpr engine_precision one_byte = engine_precision::int8;
    return static_cast<double>(shape.layers) * weight_bytes_held(decoder_layer_ops(shape, one_byte), one_byte) +
           weight_bytes_held(embedding_ops(shape, one_byte), one_byte) +
           weight_bytes_held(head_ops(shape, one_byte), one_byte);
}

op_cost price(const digital_op& op, const config::engine_config& engine, const config::memory_config& memory,
              std::size_t tokens, bool weights_resident)
{
    if (tokens == 0)
        throw std::invalid_argument("digital op " + op.name + ": tokens = 0: must be >= 1");
    const double n = static_cast<double>(tokens);
    const double cycles =
        std::ceil(n * op.macs / engine.macs_per_cycle) + std::ceil(n * op.vector_ops / engine.vector_ops_per_cycle);
    op_cost cost{};
    cost.compute_ns = cycles * engine.clock_period_ns;
    cost.stream_bytes = weights_resident ? 0.0 : op.weight_bytes;
    cost.mac_pj = n * (op.macs + op.vector_ops) * mac_pj(engine.precision);
    const double sram_bytes = n * op.activation_bytes + (weights_resident ? op.weight_bytes : 0.0);
    cost.sram_pj = sram_bytes * sram_pj_per_byte(engine.sram_kib);
    cost.dram_pj = cost.stream_bytes * memory.pj_per_byte;
    cost.stream_ns = cost.stream_bytes / memory.bandwidth_gb_s;
    return cost;
}

void pass_cost::add(const op_cost& cost, double op_macs)
{
    time_ns += std::max(cost.compute_ns, cost.stream_ns);
    compute_ns += cost.compute_ns;
    stream_ns += cost.stream_ns;
    macs += op_macs;
    stream_bytes += cost.stream_bytes;
    mac_pj += cost.mac_pj;
    sram_pj += cost.sram_pj;
    dram_pj += cost.dram_pj;
}

pass_cost price_pass(const std::vector<digital_op>& ops, const config::engine_config& engine,
                     const config::memory_config& memory, std::size_t tokens, bool weights_resident)
{
    pass_cost pass;
    for (const digital_op& o : ops)
        pass.add(price(o, engine, memory, tokens, weights_resident), static_cast<double>(tokens) * o.macs);
    return pass;
}

double weight_bytes_held(const std::vector<digital_op>& ops, engine_precision precision)
{
    double parameters = 0;
    for (const digital_op& o : ops)
        parameters += o.parameters;
    return parameters * bytes_per_value(precision);
}

bool fits_in_sram(double bytes, const config::engine_config& engine)
{
    return bytes <= engine.sram_kib * 1024.0;
}

bool layer_weights_resident(const decoder_shape& shape, const config::engine_config& engine)
{
    return fits_in_sram(weight_bytes_held(decoder_layer_ops(shape, engine.precision), engine.precision), engine);
}

bool head_weights_resident(const decoder_shape& shape, const config::engine_config& engine)
{
    std::vector<digital_op> ops = embedding_ops(shape, engine.precision);
    for (digital_op& o : head_ops(shape, engine.precision))
        ops.push_back(std::move(o));
    return fits_in_sram(weight_bytes_held(ops, engine.precision), engine);
}

engine_area area_of_engine(const config::engine_config& engine)
{
    const double mac = mac_area_um2(engine.precision);
    return {engine.macs_per_cycle * mac, engine.vector_ops_per_cycle * mac,
            engine.sram_kib * 1024.0 * 8.0 * engine.sram_um2_per_bit};
}

double engine_area_um2(const config::engine_config& engine)
{
    return area_of_engine(engine).total();
}

double engine_static_uw(const config::engine_config& engine, double leakage_uw_per_mm2)
{
    return engine_area_um2(engine) / 1e6 * leakage_uw_per_mm2;
}

}  // namespace gcasim::device
