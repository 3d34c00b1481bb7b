// The cost figures every platform reports beside its simulated latency and energy: the circuit's
// area (device/circuit_area.h) and where each cost parameter comes from (param_spec::source), in
// summary.json and on stdout. docs/cost_model.md gives the equations.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "config/head_config.h"
#include "device/circuit_area.h"

namespace gcasim::platform {

/// summary.json's area_mm2: per_sub_tile, per_head, layer (`heads` heads) and the head's by_block
/// {cells, pulse_generators, dacs, c2p, readout, counters, adders, control}, which add up to per_head.
nlohmann::json area_report(const device::head_area& area, std::size_t heads);

/// "  area   ... mm^2 per head (cells, periphery, adders, control), ... mm^2 <whole>" on stdout, the
/// whole being `heads` heads: whole = "per layer (12 heads)", "for the model (4 x 4 heads)"; without
/// the whole when `heads` is 1.
void print_area(const device::head_area& area, std::size_t heads, const std::string& whole);

/// summary.json's provenance: {key: source} for every key of `platform` that names one (every cost
/// key does: config::is_cost_key). Sources read "paper: ...", "derived: ..." or "assumed: ...".
nlohmann::json provenance_report(const std::string& platform);

}  // namespace gcasim::platform
