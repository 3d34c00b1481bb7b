#include "config/engine_config.h"

namespace gcasim::config {

using nlohmann::json;

namespace {

param_table<engine_config> declare_engine_params()
{
    using t = param_table<engine_config>;
    return t(
        "engine",
        {
            t::number(GCASIM_KEY(clock_period_ns), 1, 0, 1e6, "ns", "Clock period of a digital engine", true)
                .from(assumed("1 GHz, the attention heads' control clock (timing.clock_period_ns)")),
            t::integer(GCASIM_KEY(macs_per_cycle), 4096, 1, 1 << 24, "MACs",
                       "Multiply-accumulates a digital engine does per cycle (its MAC array)")
                .from(assumed("a 64 x 64 MAC array, the geometry of the analog tiles")),
            t::choice(
                GCASIM_KEY(precision), engine_precision::int8,
                {{"int8", engine_precision::int8}, {"fp16", engine_precision::fp16}, {"fp32", engine_precision::fp32}},
                "Number format of the engines' weights and activations (int8 accumulates in int32): sets the "
                "bytes per value (1/2/4), the energy and the area of a MAC (docs/cost_model.md)"),
            t::integer(GCASIM_KEY(vector_ops_per_cycle), 64, 1, 1 << 24, "ops",
                       "Element-wise operations a digital engine does per cycle (LayerNorm, GELU, residual adds)")
                .from(assumed("one 64-lane vector unit beside the MAC array")),
            t::number(GCASIM_KEY(sram_kib), 1024, 0, 1 << 24, "KiB",
                      "On-chip SRAM of one digital engine: weights that fit stay resident, others stream from the "
                      "off-chip memory every token; its energy per byte follows from its size",
                      true)
                .from(assumed("1 MiB, the largest SRAM of Horowitz's table (ISSCC 2014)")),
            t::number(GCASIM_KEY(sram_um2_per_bit), 0.6, 0, 1e6, "um^2", "SRAM area per bit, periphery included", true)
                .from(assumed("a 45 nm 6T cell of 0.346 um^2 (Intel 45 nm) at about 60 % array efficiency")),
        });
}

param_table<memory_config> declare_memory_params()
{
    using t = param_table<memory_config>;
    return t(
        "memory",
        {
            t::number(GCASIM_KEY(bandwidth_gb_s), 256, 0, 1e9, "GB/s",
                      "Bandwidth of the chip's one off-chip memory interface, shared by every digital engine", true)
                .from(assumed("one HBM2 stack (256 GB/s)")),
            t::number(GCASIM_KEY(pj_per_byte), 31.2, 0, 1e9, "pJ", "Energy per byte read from the off-chip memory")
                .from(paper("O'Connor et al., Fine-Grained DRAM, MICRO 2017: an HBM2 access about 3.9 pJ/bit x 8, "
                            "the memory memory.bandwidth_gb_s assumes; a DDR-class DRAM is Horowitz's (ISSCC 2014) "
                            "1.3 nJ per 64 bits = 162.5 (--set memory.pj_per_byte=162.5)")),
        });
}

}  // namespace

const param_table<engine_config>& engine_params()
{
    static const param_table<engine_config> table = declare_engine_params();
    return table;
}

const param_table<memory_config>& memory_params()
{
    static const param_table<memory_config> table = declare_memory_params();
    return table;
}

void add_engine_params(param_schema& schema)
{
    engine_params().add_to(schema);
    memory_params().add_to(schema);
}

engine_config parse_engine_config(const json& config)
{
    return engine_params().parse(config);
}

memory_config parse_memory_config(const json& config)
{
    return memory_params().parse(config);
}

engine_config default_engine_config()
{
    return engine_params().defaults();
}

memory_config default_memory_config()
{
    return memory_params().defaults();
}

std::string to_string(engine_precision precision)
{
    switch (precision) {
    case engine_precision::int8: return "int8";
    case engine_precision::fp16: return "fp16";
    case engine_precision::fp32: return "fp32";
    }
    return "unknown";
}

}  // namespace gcasim::config
