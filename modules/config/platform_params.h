// Which keys each platform has: the head's and the run's tables, plus the platforms' own keys,
// composed in one place so that --list-params, the platforms and docs/modules/configuration.md all
// read the same schemas.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"
#include "config/param_table.h"

namespace gcasim::config {

/// attention_layer's own keys.
struct layer_platform_config {
    std::size_t heads{};
    struct {
        bool head_outputs{};
    } output;
};

/// attention_head's own key.
struct head_platform_config {
    struct {
        bool attention_matrices{};
    } output;
};

/// gpt_model's own key.
struct model_platform_config {
    struct {
        bool timeline{};
    } output;
};

const param_table<layer_platform_config>& layer_platform_params();
const param_table<model_platform_config>& model_platform_params();
const param_table<head_platform_config>& head_platform_params();
/// The key heads alone (gpt_model: the heads of every layer); parse() fills only layer_platform_config::heads.
const param_table<layer_platform_config>& layer_heads_params();

/// The platforms with a config: attention_head, attention_layer, gpt_model.
const std::vector<std::string>& platform_names();

/// Every key of `platform` (one of platform_names()); std::invalid_argument for another name.
void add_platform_params(param_schema& schema, const std::string& platform);

/// Whether a key sets latency, energy or area: window, head_dim, heads and the groups array, cell,
/// lines, dac, c2p, digital, process, timing, quant, pulse, readout, refresh, model, engine and memory (noise.* shapes only
/// the numerics; trace, output, input and sim keys only the run). Every figure among them (an integer
/// or a number; choices and switches are designs, not figures) names its source: paper, derived or
/// assumed (unit_provenance checks it).
bool is_cost_key(const std::string& path);

/// The table of every platform's keys in docs/modules/configuration.md (Markdown): key, default
/// (per platform where they differ), allowed values, platforms, meaning.
std::string markdown_keys();

}  // namespace gcasim::config
