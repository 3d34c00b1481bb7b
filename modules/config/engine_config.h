// Configuration of the digital engines and of the chip's off-chip memory interface (issue 14): the
// keys engine.* (one engine per decoder layer, plus one for the embedding and the LM head) and
// memory.* (one interface shared by every engine), declared once with their defaults, units, ranges
// and sources in engine_params() and memory_params() (engine_config.cpp). Members are named after
// their keys: engine_config::macs_per_cycle is engine.macs_per_cycle. docs/cost_model.md, "Digital
// engine and memory", gives the equations that use them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "config/param_table.h"

namespace gcasim::config {

/// Number format of an engine's weights and activations (int8 accumulates in int32).
enum class engine_precision { int8, fp16, fp32 };

struct engine_config {
    double clock_period_ns{};      ///< engine.clock_period_ns: one cycle of the MAC array
    int macs_per_cycle{};          ///< engine.macs_per_cycle: multiply-accumulates per cycle
    engine_precision precision{};  ///< engine.precision
    int vector_ops_per_cycle{};    ///< engine.vector_ops_per_cycle: element-wise operations per cycle
    double sram_kib{};             ///< engine.sram_kib: on-chip SRAM per engine (KiB)
    double sram_um2_per_bit{};     ///< engine.sram_um2_per_bit: SRAM area per bit, periphery included
};

struct memory_config {
    double bandwidth_gb_s{};  ///< memory.bandwidth_gb_s: GB/s = bytes per ns
    double pj_per_byte{};     ///< memory.pj_per_byte: energy of moving one byte on or off the chip
};

/// The keys engine.*: the one declaration of each.
const param_table<engine_config>& engine_params();
/// The keys memory.*: the one declaration of each.
const param_table<memory_config>& memory_params();

/// Adds the keys engine.* and memory.* to a schema (a platform with digital engines).
void add_engine_params(param_schema& schema);

/// The engine of a validated nested config (every engine.* key present).
engine_config parse_engine_config(const nlohmann::json& config);
/// The memory interface of a validated nested config (every memory.* key present).
memory_config parse_memory_config(const nlohmann::json& config);

engine_config default_engine_config();
memory_config default_memory_config();

std::string to_string(engine_precision precision);

}  // namespace gcasim::config
