// The rules between keys, in one place: what a single key's range cannot say (phases longer than
// the token period, a traced head that does not exist, a run longer than simulated time can hold).
// Each is a config_error naming the keys and the values.
#pragma once

#include <cstddef>

#include "config/head_config.h"
#include "config/run_config.h"

namespace gcasim::config {

/// cell.polarity != 0; the five phases of a token (from the circuit, config/head_timing.h) fit in
/// timing.token_period_ns. parse_head_config applies them.
void check_head_rules(const head_config& head);

/// trace.head < the run's heads, trace.tile < the head's sub-tiles.
void check_trace_rules(const trace_config& trace, std::size_t heads, const head_config& head);

/// tokens x timing.token_period_ns within the simulated-time limit (1e15 ns).
void check_run_length(const head_config& head, std::size_t tokens);

/// output.attention_matrices (T x T values) needs tokens <= 4096.
void check_attention_matrices(bool matrices, std::size_t tokens);

}  // namespace gcasim::config
