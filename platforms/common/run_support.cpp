#include "run_support.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>

#include <unistd.h>

#include <systemc>

#include "device/cell_lines.h"
#include "device/cell_model.h"
#include "io.h"

namespace gcasim::platform {

using nlohmann::json;

void truncate_stream(token_stream& s, std::size_t tokens, const std::string& what)
{
    if (tokens > s.tokens)
        throw config::config_error("--tokens " + std::to_string(tokens) + " exceeds the " +
                                   std::to_string(s.tokens) + " tokens of " + what);
    s.tokens = tokens;
    s.q.resize(tokens * s.dim);
    s.k.resize(tokens * s.dim);
    s.v.resize(tokens * s.dim);
}

namespace {

/// Bytes per stored cell, as device/cell_lines.h stores them: a one-byte grid code when the DAC
/// quantizes to at most 256 levels without write noise or cell variation (gain_cell_array.cpp,
/// code_grid_of); else the powers y^1..y^degree (8 bytes each); with cell variation also y^0, the
/// gain and y, with a retention spread a decay rate, each with a transient copy while set up.
double bytes_per_cell(const config::head_config& head)
{
    const int degree = device::cell_model(head.cell.nonlinearity, head.cell.leakage.model, head.cell.polarity).degree();
    const bool coded = head.quant.enabled && head.quant.kv_levels <= device::cell_lines::max_code_levels &&
                       head.noise.dac_sigma == 0 && head.noise.cell_variation == 0;
    double bytes = coded ? 1 : 8.0 * degree;
    if (head.noise.cell_variation > 0)
        bytes = 8.0 * (degree + 1) + 3 * 8;
    if (head.noise.tau_spread > 0 && head.cell.leakage.model != device::leakage_form::none)
        bytes += 2 * 8;
    return bytes;
}

std::string gib(double bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", bytes / (1u << 30));
    return text;
}

}  // namespace

std::vector<memory_part> layer_memory(const config::head_config& head, std::size_t heads, std::size_t tokens,
                                      const std::string& heads_key)
{
    // Per-module and per-line costs measured with /usr/bin/time on x86-64 (GCC 12, SystemC 2.3.4),
    // rounded up: about 21 KiB per sub-tile and 22 KiB per head (modules, sockets, processes), 230
    // bytes per ring slot (both arrays' line state and the controller's), 36 bytes per sub-tile and
    // dimension (converter offsets and buffers).
    const double h = static_cast<double>(heads), t = static_cast<double>(tokens);
    const double tiles = h * head.sub_tiles(), slots = h * head.ring_slots(), dim = head.head_dim;
    const std::string x_heads = heads_key.empty() ? "" : " x " + heads_key;
    return {
        {"array cells (2 x window x head_dim" + x_heads + ")", 2 * slots * dim * bytes_per_cell(head)},
        {"SystemC modules (sub-tiles = window / array.tokens" + x_heads + ")", (tiles + h) * 24 * 1024},
        {"token lines (window" + x_heads + ")", slots * 256},
        {"sub-tile buffers (sub-tiles x head_dim" + x_heads + ")", tiles * dim * 48},
        {"input streams (--tokens x head_dim" + x_heads + " x 24 bytes)", t * dim * h * 24},
        {"per-token records (--tokens x 16 bytes)", t * 16},
        {"program", 16.0 * (1u << 20)},
    };
}

void check_memory(const std::vector<memory_part>& parts)
{
    const double limit = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
    double total = 0;
    for (const memory_part& p : parts)
        total += p.bytes;
    if (total <= limit)
        return;
    std::vector<memory_part> largest = parts;
    std::sort(largest.begin(), largest.end(), [](const memory_part& a, const memory_part& b) { return a.bytes > b.bytes; });
    std::string list;
    for (std::size_t i = 0; i < 3 && i < largest.size() && largest[i].bytes > total / 100; ++i)
        list += (i ? ", " : "") + largest[i].what + " " + gib(largest[i].bytes);
    throw config::config_error("the run needs about " + gib(total) + " of memory, more than the " + gib(limit) +
                               " of physical memory of this machine; largest parts: " + list +
                               "; make those keys smaller");
}

void out_of_memory_as_failure(const std::function<void()>& body)
{
    const runtime_failure failure("out of memory (std::bad_alloc): less is available than the physical memory the "
                                  "run was estimated to fit (other processes, ulimit -v, a container's limit); make "
                                  "window, head_dim, heads or --tokens smaller");
    try {
        body();
    } catch (const std::bad_alloc&) {
        throw failure;
    } catch (const sc_core::sc_report& e) {  // how SystemC passes on an exception of a process
        if (e.get_msg() == std::string(std::bad_alloc().what()))
            throw failure;
        throw;
    }
}

token_stream load_head_input(const cli_options& options, const json& config, std::size_t default_tokens,
                             const memory_check& check)
{
    const config::head_config head = config::parse_head_config(config);
    if (options.input_file.empty()) {
        const std::size_t tokens = options.tokens.value_or(default_tokens);
        if (check)
            check(tokens);
        return random_token_stream(tokens, head.head_dim, head.cell.v_max, options.seed,
                                   config::parse_input_config(config));
    }
    const std::string what = "input file '" + options.input_file + "'";
    token_stream s = parse_token_stream(config::read_json_file(options.input_file, "input file"), head.head_dim,
                                        head.cell.v_max, what);
    if (options.tokens)
        truncate_stream(s, *options.tokens, what);
    if (check)
        check(s.tokens);
    return s;
}

std::vector<token_stream> load_layer_inputs(const cli_options& options, const json& config, std::size_t heads,
                                            std::size_t default_tokens, const memory_check& check)
{
    const config::head_config head = config::parse_head_config(config);
    std::vector<token_stream> streams;
    if (options.input_file.empty()) {
        if (check)
            check(options.tokens.value_or(default_tokens));
        const config::input_config shape = config::parse_input_config(config);
        splitmix64 seeds(options.seed);
        for (std::size_t h = 0; h < heads; ++h)
            streams.push_back(random_token_stream(options.tokens.value_or(default_tokens), head.head_dim,
                                                  head.cell.v_max, seeds.next(), shape));
        return streams;
    }
    const std::string what = "input file '" + options.input_file + "'";
    const json doc = config::read_json_file(options.input_file, "input file");
    if (!doc.is_object() || !doc.contains("heads") || !doc["heads"].is_array())
        throw config::config_error(what + ": expected {\"heads\": [{\"q\": ..., \"k\": ..., \"v\": ...}, ...]}");
    if (doc["heads"].size() != heads)
        throw config::config_error(what + ": has " + std::to_string(doc["heads"].size()) +
                                   " heads, config key 'heads' says " + std::to_string(heads));
    for (std::size_t h = 0; h < heads; ++h) {
        const std::string where = what + " head " + std::to_string(h);
        streams.push_back(parse_token_stream(doc["heads"][h], head.head_dim, head.cell.v_max, where));
        if (streams[h].tokens != streams[0].tokens)
            throw config::config_error(where + ": " + std::to_string(streams[h].tokens) + " tokens, head 0 has " +
                                       std::to_string(streams[0].tokens));
    }
    if (options.tokens)
        for (auto& s : streams)
            truncate_stream(s, *options.tokens, what);
    if (check)
        check(streams[0].tokens);
    return streams;
}

run_timing timing_now(std::size_t tokens, double wall_time_s)
{
    return {sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS), wall_time_s,
            wall_time_s > 0 ? static_cast<double>(tokens) / wall_time_s : 0.0};
}

std::string si_text(double value, const std::string& unit)
{
    static const struct {
        double scale;
        const char* prefix;
    } prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""},     {1e-3, "m"},
                    {1e-6, "µ"}, {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}, {1e-18, "a"}};
    char text[64];
    if (value == 0 || !std::isfinite(value)) {
        std::snprintf(text, sizeof text, "%g %s", value, unit.c_str());
        return text;
    }
    for (const auto& p : prefixes)
        // %.4g rounds 999.95 up to 1000: such a value takes the next prefix up.
        if (std::fabs(value) / p.scale >= 1 - 5e-5 || p.scale == 1e-18) {
            const double shown = value / p.scale;
            std::snprintf(text, sizeof text, "%.4g %s%s", shown, p.prefix, unit.c_str());
            return text;
        }
    return text;  // not reached: the last prefix always matches
}

std::string ns_text(double ns) { return si_text(ns * 1e-9, "s"); }

std::string pj_text(double pj) { return si_text(pj * 1e-12, "J"); }

void print_timing(const run_timing& timing)
{
    std::printf("  simulated %s in %.3f s wall (%.0f tokens/s)\n", ns_text(timing.simulated_ns).c_str(), timing.wall_s,
                timing.tokens_per_s);
}

void print_outputs(const output_set& outputs, const std::string& out_dir)
{
    std::vector<std::string> names = outputs.names();
    names.erase(std::remove(names.begin(), names.end(), "summary.json"), names.end());
    std::sort(names.begin(), names.end());
    std::printf("  outputs in %s/: summary.json", out_dir.c_str());
    for (const std::string& name : names)
        std::printf(", %s", name.c_str());
    std::printf("\n");
}

json run_summary(const std::string& platform, const cli_options& options, const json& config, std::size_t tokens,
                 double wall_time_s)
{
    const run_timing timing = timing_now(tokens, wall_time_s);
    json s;
    s["platform"] = platform;
    s["tokens"] = tokens;
    s["seed"] = options.seed;
    s["input"] = options.input_file.empty() ? "random" : options.input_file;
    s["simulated_time_ns"] = timing.simulated_ns;
    s["wall_time_s"] = timing.wall_s;
    s["tokens_per_second"] = timing.tokens_per_s;
    s["config"] = config;
    return s;
}

}  // namespace gcasim::platform
