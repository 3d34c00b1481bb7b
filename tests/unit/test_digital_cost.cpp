// The digital engine's cost equations (device/digital_cost.h) and its keys (config/engine_config.h):
// op counts against GPT-2's published parameter counts, the scaling laws of docs/cost_model.md
// ("Digital engine and memory") and the equations at hand-computed points. Parameters are set here,
// not taken from the defaults.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "config/engine_config.h"
#include "config/param_schema.h"
#include "device/digital_cost.h"

using namespace gcasim;
using namespace gcasim::device;
using config::engine_precision;
using Catch::Matchers::WithinRel;

namespace {

decoder_shape gpt2(std::size_t layers, std::size_t heads)
{
    return {heads * 64, heads, 64, layers, 4, 50257, 1024};
}
const decoder_shape gpt2_small = gpt2(12, 12);
const decoder_shape gpt2_xl = gpt2(48, 25);

/// Round figures: 1 ns clock, 1000 MACs and 10 vector ops per cycle, 1000 KiB SRAM, 1 um^2 per bit;
/// 100 GB/s, 100 pJ per byte.
config::engine_config hand_engine()
{
    config::engine_config e = config::default_engine_config();
    e.clock_period_ns = 1;
    e.macs_per_cycle = 1000;
    e.vector_ops_per_cycle = 10;
    e.precision = engine_precision::int8;
    e.sram_kib = 1000;
    e.sram_um2_per_bit = 1;
    return e;
}
config::memory_config hand_memory()
{
    return {100, 100};
}

double sum(const std::vector<digital_op>& ops, double digital_op::*field)
{
    double total = 0;
    for (const digital_op& o : ops)
        total += o.*field;
    return total;
}

}  // namespace

TEST_CASE("the op list holds GPT-2's published parameter counts", "[digital][counts]")
{
    // Hugging Face's gpt2 and gpt2-xl: 124 439 808 and 1 557 611 200 parameters (LM head tied to wte).
    CHECK(parameter_count(gpt2_small) == 124439808.0);
    CHECK(parameter_count(gpt2_xl) == 1557611200.0);
    // A layer: 12 d^2 + 13 d (Q, K, V, out, the MLP's two matrices, their biases and two LayerNorms).
    const auto layer = decoder_layer_ops(gpt2_small, engine_precision::int8);
    CHECK(sum(layer, &digital_op::parameters) == 7087872.0);
    // At int8 a layer reads each of its parameters once per token.
    CHECK(sum(layer, &digital_op::weight_bytes) == 7087872.0);
    // Its MACs are the matrices: 12 d^2, about 85 M per token over GPT-2 small's 12 layers.
    CHECK(sum(layer, &digital_op::macs) == 12.0 * 768 * 768);
    CHECK(12 * sum(layer, &digital_op::macs) == 84934656.0);
}

TEST_CASE("a layer's ops in execution order, with their element-wise work", "[digital][counts]")
{
    const auto layer = decoder_layer_ops(gpt2_small, engine_precision::int8);
    std::vector<std::string> names;
    for (const digital_op& o : layer)
        names.push_back(o.name);
    CHECK(names == std::vector<std::string>{"ln_1", "qkv", "out_proj", "residual_1", "ln_2", "mlp_fc", "gelu",
                                            "mlp_proj", "residual_2"});
    const double d = 768;
    // LayerNorm 5, residual 1 per element of d; GELU 8 per element of the 4d hidden layer.
    CHECK(sum(layer, &digital_op::vector_ops) == 2 * 5 * d + 2 * d + 8 * 4 * d);
    // Activations: ln 2d twice, qkv 4d, out 2d, residuals 3d twice, fc 5d, gelu 8d, proj 5d.
    CHECK(sum(layer, &digital_op::activation_bytes) == (4 + 4 + 2 + 6 + 5 + 8 + 5) * d);
}

TEST_CASE("the embedding reads two rows, the tied LM head the whole table", "[digital][counts]")
{
    const double d = 768, vocab = 50257;
    const auto embedding = embedding_ops(gpt2_small, engine_precision::fp16);
    REQUIRE(embedding.size() == 1);
    CHECK(embedding[0].weight_bytes == 2 * d * 2);
    CHECK(embedding[0].parameters == (vocab + 1024) * d);
    const auto head = head_ops(gpt2_small, engine_precision::fp16);
    REQUIRE(head.size() == 2);
    CHECK(head[1].name == "lm_head");
    CHECK(head[1].macs == vocab * d);
    CHECK(head[1].weight_bytes == vocab * d * 2);
    CHECK(head[1].parameters == 0);
}

TEST_CASE("precision sets the bytes of every weight and activation and the energy of a MAC", "[digital][precision]")
{
    // Horowitz ISSCC 2014, 45 nm: multiply + add.
    CHECK_THAT(mac_pj(engine_precision::int8), WithinRel(0.2 + 0.1, 1e-12));
    CHECK_THAT(mac_pj(engine_precision::fp16), WithinRel(1.1 + 0.4, 1e-12));
    CHECK_THAT(mac_pj(engine_precision::fp32), WithinRel(3.7 + 0.9, 1e-12));
    const auto int8 = decoder_layer_ops(gpt2_small, engine_precision::int8);
    for (const auto& [precision, bytes] :
         {std::pair{engine_precision::fp16, 2.0}, std::pair{engine_precision::fp32, 4.0}}) {
        INFO(config::to_string(precision));
        const auto wide = decoder_layer_ops(gpt2_small, precision);
        for (std::size_t i = 0; i < int8.size(); ++i) {
            CHECK(wide[i].weight_bytes == bytes * int8[i].weight_bytes);
            CHECK(wide[i].activation_bytes == bytes * int8[i].activation_bytes);
            CHECK(wide[i].macs == int8[i].macs);
        }
        config::engine_config e = hand_engine();
        const op_cost narrow = price(int8[1], e, hand_memory(), 1, false);
        e.precision = precision;
        const op_cost cost = price(wide[1], e, hand_memory(), 1, false);
        CHECK_THAT(cost.mac_pj / narrow.mac_pj, WithinRel(mac_pj(precision) / mac_pj(engine_precision::int8), 1e-12));
        CHECK_THAT(cost.dram_pj, WithinRel(bytes * narrow.dram_pj, 1e-12));
        CHECK(cost.compute_ns == narrow.compute_ns);
    }
}

TEST_CASE("compute scales with the micro-batch, the weight stream does not", "[digital][price]")
{
    const config::engine_config e = hand_engine();
    const digital_op op{"op", 3000, 20, 5000, 100, 5000};
    const op_cost one = price(op, e, hand_memory(), 1, false);
    // ceil(3000 / 1000) + ceil(20 / 10) cycles of 1 ns.
    CHECK(one.compute_ns == 5);
    CHECK(one.stream_bytes == 5000);
    CHECK_THAT(one.stream_ns, WithinRel(50.0, 1e-12));  // 5000 B / 100 GB/s
    CHECK_THAT(one.dram_pj, WithinRel(5000.0 * 100, 1e-12));
    CHECK_THAT(one.mac_pj, WithinRel(3020 * 0.3, 1e-12));
    for (std::size_t tokens : {2, 7, 64}) {
        INFO(tokens << " tokens");
        const op_cost many = price(op, e, hand_memory(), tokens, false);
        CHECK(many.compute_ns == tokens * one.compute_ns);
        CHECK(many.stream_bytes == one.stream_bytes);
        CHECK(many.dram_pj == one.dram_pj);
        CHECK_THAT(many.mac_pj, WithinRel(tokens * one.mac_pj, 1e-12));
        CHECK_THAT(many.sram_pj, WithinRel(tokens * one.sram_pj, 1e-12));
    }
    // Whole cycles: one MAC more than the array does in a cycle takes a second cycle.
    const digital_op odd{"odd", 1001, 0, 0, 0, 0};
    CHECK(price(odd, e, hand_memory(), 1, true).compute_ns == 2);
    CHECK_THROWS_AS(price(op, e, hand_memory(), 0, false), std::invalid_argument);
}

TEST_CASE("a pass of ops adds each op's longer side and every energy", "[digital][price]")
{
    const config::engine_config e = hand_engine();
    const std::vector<digital_op> ops{{"compute_bound", 50000, 0, 100, 10, 100},     // 50 ns vs 1 ns
                                      {"stream_bound", 1000, 0, 20000, 10, 20000}};  // 1 ns vs 200 ns
    const pass_cost pass = price_pass(ops, e, hand_memory(), 1, false);
    CHECK_THAT(pass.time_ns, WithinRel(50.0 + 200.0, 1e-12));
    CHECK_THAT(pass.compute_ns, WithinRel(51.0, 1e-12));
    CHECK_THAT(pass.stream_ns, WithinRel(201.0, 1e-12));
    CHECK(pass.macs == 51000);
    CHECK(pass.stream_bytes == 20100);
    CHECK_THAT(pass.dram_pj, WithinRel(20100.0 * 100, 1e-12));
    CHECK_THAT(pass.total_pj(), WithinRel(pass.mac_pj + pass.sram_pj + pass.dram_pj, 1e-12));
    // Four sequences: the first op's compute grows to 200 ns, the stream stays.
    const pass_cost four = price_pass(ops, e, hand_memory(), 4, false);
    CHECK_THAT(four.time_ns, WithinRel(200.0 + 200.0, 1e-12));
    CHECK(four.macs == 4 * 51000);
    CHECK(four.stream_bytes == pass.stream_bytes);
}

TEST_CASE("resident weights cost SRAM reads instead of the stream", "[digital][price]")
{
    const config::engine_config e = hand_engine();
    const digital_op op{"op", 3000, 20, 5000, 100, 5000};
    const op_cost streamed = price(op, e, hand_memory(), 3, false);
    const op_cost resident = price(op, e, hand_memory(), 3, true);
    CHECK(resident.stream_bytes == 0);
    CHECK(resident.dram_pj == 0);
    CHECK(resident.stream_ns == 0);
    CHECK(resident.compute_ns == streamed.compute_ns);
    const double per_byte = sram_pj_per_byte(e.sram_kib);
    CHECK_THAT(streamed.sram_pj, WithinRel(3 * 100 * per_byte, 1e-12));
    CHECK_THAT(resident.sram_pj, WithinRel((3 * 100 + 5000) * per_byte, 1e-12));
}

TEST_CASE("SRAM energy per byte: Horowitz's three points, log-log between, monotonic", "[digital][sram]")
{
    CHECK_THAT(sram_pj_per_byte(8), WithinRel(10.0 / 8, 1e-12));
    CHECK_THAT(sram_pj_per_byte(32), WithinRel(20.0 / 8, 1e-12));
    CHECK_THAT(sram_pj_per_byte(1024), WithinRel(100.0 / 8, 1e-12));
    // Straight lines in log-log: the geometric midpoint of a segment costs the geometric mean.
    CHECK_THAT(sram_pj_per_byte(16), WithinRel(std::sqrt(1.25 * 2.5), 1e-12));
    CHECK_THAT(sram_pj_per_byte(std::sqrt(32.0 * 1024)), WithinRel(std::sqrt(2.5 * 12.5), 1e-12));
    // Beyond the ends the nearest segment's slope continues.
    CHECK_THAT(sram_pj_per_byte(2), WithinRel(1.25 / 2, 1e-12));  // slope 1/2 below 8 KiB
    const double last_slope = std::log(5.0) / std::log(32.0);
    CHECK_THAT(sram_pj_per_byte(4096), WithinRel(12.5 * std::pow(4.0, last_slope), 1e-12));
    double previous = 0;
    for (double kib = 0.25; kib <= 1 << 20; kib *= 1.1) {
        INFO(kib << " KiB");
        const double pj = sram_pj_per_byte(kib);
        CHECK(pj > previous);
        previous = pj;
    }
    CHECK_THROWS_AS(sram_pj_per_byte(0), std::invalid_argument);
}

TEST_CASE("a layer's weights are resident up to exactly engine.sram_kib", "[digital][sram]")
{
    config::engine_config e = hand_engine();
    const double layer_bytes = 7087872;  // GPT-2 small at int8
    e.sram_kib = layer_bytes / 1024;
    CHECK(layer_weights_resident(gpt2_small, e));
    e.sram_kib = std::nextafter(layer_bytes / 1024, 0.0);
    CHECK_FALSE(layer_weights_resident(gpt2_small, e));
    e.precision = engine_precision::fp16;  // twice the bytes
    e.sram_kib = 2 * layer_bytes / 1024;
    CHECK(layer_weights_resident(gpt2_small, e));
    e.sram_kib = 2 * layer_bytes / 1024 - 1;
    CHECK_FALSE(layer_weights_resident(gpt2_small, e));
    // The embedding/LM-head engine holds wte, wpe and ln_f.
    e.precision = engine_precision::int8;
    const double tables = (50257.0 + 1024) * 768 + 2 * 768;
    e.sram_kib = tables / 1024;
    CHECK(head_weights_resident(gpt2_small, e));
    e.sram_kib = std::nextafter(tables / 1024, 0.0);
    CHECK_FALSE(head_weights_resident(gpt2_small, e));
}

TEST_CASE("engine area is linear in the MAC array and the SRAM; static power follows it", "[digital][area]")
{
    config::engine_config e = hand_engine();
    const engine_area base = area_of_engine(e);
    CHECK_THAT(base.mac_array, WithinRel(1000 * mac_area_um2(engine_precision::int8), 1e-12));
    CHECK_THAT(base.sram, WithinRel(1000 * 1024 * 8 * 1.0, 1e-12));
    CHECK_THAT(mac_area_um2(engine_precision::int8), WithinRel(282.0 + 137, 1e-12));
    e.macs_per_cycle = 3000;
    CHECK_THAT(area_of_engine(e).mac_array, WithinRel(3 * base.mac_array, 1e-12));
    CHECK(area_of_engine(e).sram == base.sram);
    e.sram_kib = 2500;
    CHECK_THAT(area_of_engine(e).sram, WithinRel(2.5 * base.sram, 1e-12));
    e.sram_um2_per_bit = 0.5;
    CHECK_THAT(area_of_engine(e).sram, WithinRel(1.25 * base.sram, 1e-12));
    CHECK_THAT(engine_area_um2(e), WithinRel(area_of_engine(e).total(), 1e-12));
    // uW = mm^2 x uW/mm^2.
    CHECK_THAT(engine_static_uw(e, 50), WithinRel(engine_area_um2(e) / 1e6 * 50, 1e-12));
    CHECK(engine_static_uw(e, 0) == 0);
}

TEST_CASE("engine and memory keys: defaults parse, every figure names its source", "[digital][config]")
{
    config::param_schema schema;
    config::add_engine_params(schema);
    const nlohmann::json defaults = schema.defaults();
    REQUIRE_NOTHROW(schema.validate(defaults));
    const config::engine_config e = config::parse_engine_config(defaults);
    CHECK(e.macs_per_cycle == config::default_engine_config().macs_per_cycle);
    CHECK(config::parse_memory_config(defaults).bandwidth_gb_s == config::default_memory_config().bandwidth_gb_s);
    std::size_t figures = 0;
    for (const config::param_spec& p : schema.params()) {
        INFO(p.path << " source '" << p.source << "'");
        CHECK((p.path.rfind("engine.", 0) == 0 || p.path.rfind("memory.", 0) == 0));
        if (p.type == config::param_type::integer || p.type == config::param_type::number) {
            CHECK(config::provenance_kind(p.source) != "");
            ++figures;
        }
    }
    CHECK(figures == 7);
    // The keys round-trip, the precision by name.
    config::engine_config fp16 = e;
    fp16.precision = engine_precision::fp16;
    CHECK(config::engine_params().to_config(fp16)["engine"]["precision"] == "fp16");
    CHECK(config::parse_engine_config(config::engine_params().to_config(fp16)).precision == engine_precision::fp16);
}

TEST_CASE("an engine key out of range names the key, the value and what is allowed", "[digital][config]")
{
    config::param_schema schema;
    config::add_engine_params(schema);
    auto message = [&](const nlohmann::json& patch) {
        nlohmann::json c = schema.defaults();
        c.merge_patch(patch);
        try {
            schema.validate(c);
        } catch (const config::config_error& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    const std::string macs = message({{"engine", {{"macs_per_cycle", 0}}}});
    CHECK_THAT(macs, Catch::Matchers::Contains("engine.macs_per_cycle") && Catch::Matchers::Contains("0") &&
                         Catch::Matchers::Contains("1 .."));
    const std::string bandwidth = message({{"memory", {{"bandwidth_gb_s", 0}}}});
    CHECK_THAT(bandwidth, Catch::Matchers::Contains("memory.bandwidth_gb_s") && Catch::Matchers::Contains("> 0"));
    const std::string precision = message({{"engine", {{"precision", "int4"}}}});
    CHECK_THAT(precision, Catch::Matchers::Contains("engine.precision") && Catch::Matchers::Contains("int4") &&
                              Catch::Matchers::Contains("int8, fp16, fp32"));
}
