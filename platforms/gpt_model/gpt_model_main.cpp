// Platform `gpt_model`: a whole GPT-2-style model on the chip (model_hardware.h): per layer a digital
// engine and the analog attention heads, plus the embedding and LM head's engine and the off-chip
// memory.
//   --mode eval      a trained character-level GPT (platforms/gpt_model/train_lm.py, models/<variant>/):
//                    cross-entropy and perplexity on the validation text (platforms/gpt_model/README.md protocol)
//   --mode generate  the text that model writes after --prompt
//   --mode cost      any shape (platforms/configs/models/gpt2*.json) without weights: seeded synthetic
//                    q, k, v per head (input.*), the digital parts timed and priced from their counts
// Every mode reports latency, energy and area per token split into attention, digital compute and
// memory traffic (model_report.h). With a trained model the config defaults to what it was trained
// with (model.json); --config / --set change it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include <systemc>

#include "common/cost_report.h"
#include "common/data_dir.h"
#include "common/io.h"
#include "common/layer_run.h"
#include "common/platform_cli.h"
#include "common/progress.h"
#include "common/run_support.h"
#include "config/head_config.h"
#include "config/head_timing.h"
#include "config/model_config.h"
#include "config/engine_config.h"
#include "config/platform_params.h"
#include "config/run_config.h"
#include "device/cell_model.h"
#include "device/circuit_area.h"
#include "char_model.h"
#include "model_energy.h"
#include "model_hardware.h"
#include "model_report.h"
#include "plans.h"
#include "validation_text.h"
#include "util/simulation.h"

using namespace gcasim;
using namespace sc_core;
using nlohmann::json;
using config::config_error;

namespace {

/// The token period the models were trained for: the paper's, which is the default of
/// timing.token_period_ns. The export gives leakage per step, the hardware a time constant; the
/// model's decay_per_step is read as this period over tau.
const double trained_token_period_ns = config::default_head_config().timing.token_period_ns;

/// --mode cost: tokens per sequence without --tokens.
constexpr std::size_t default_cost_tokens = 64;

struct session {
    std::optional<model::char_model> model;
    json derived;  ///< the config keys taken from the model
};

std::string model_dir(const platform::cli_options& options)
{
    return options.extra.at("model");
}

/// The hardware can only run what it implements: a softmax model, or numerics other than the
/// gain cell's fixed ones (mid-rail, polynomial, ranges), is refused with the reason.
void check_runnable(const model::char_model& m)
{
    const std::string where = "model '" + m.dir() + "'";
    if (!m.has_hardware())
        throw config_error(where + " uses softmax attention, which the gain-cell hardware cannot run "
                           "(no exponential, no normalisation); use models/nonlinear or models/linear");
    const model::trained_hardware& hw = m.hardware();
    const auto cubic = device::published_cubic_coefficients();
    auto require = [&](bool ok, const std::string& key, double value, const std::string& hardware) {
        if (!ok)
            throw config_error(where + ": hardware." + key + " = " + std::to_string(value) +
                               " differs from the gain-cell hardware's " + hardware);
    };
    require(std::fabs(hw.offset - device::v_mid) < 1e-12, "offset", hw.offset, "mid-rail 0.45 V");
    require(hw.kv_min == 0, "kv_min", hw.kv_min, "DAC range bottom 0 V");
    require(hw.q_min == 0 && hw.q_max == 1, "q_max", hw.q_max, "pulse range [0, 1] of T_max");
    require(hw.out_min == -1 && hw.out_max == 1, "out_max", hw.out_max, "readout range [-1, 1]");
    require(std::fabs(hw.linear_coefficient - device::linear_slope) < 1e-12, "linear_coefficient",
            hw.linear_coefficient, "19.3");
    for (std::size_t i = 0; i < 4; ++i)
        require(std::fabs(hw.cubic_a[i] - cubic[i]) < 1e-9, "cubic_a[" + std::to_string(i) + "]", hw.cubic_a[i],
                "published cubic");
    require(hw.decay_per_step > 0, "decay_per_step", hw.decay_per_step, "leakage (> 0)");
}

/// The head config the model was trained with, as config keys.
json trained_config(const model::char_model& m)
{
    const model::trained_hardware& hw = m.hardware();
    const model::model_shape& s = m.shape();
    return {{"window", s.window},
            {"head_dim", s.head_dim},
            {"heads", s.heads},
            {"model",
             {{"layers", s.layers},
              {"mlp_ratio", s.mlp_hidden / s.d_model},
              {"vocab", s.vocab_size},
              {"context", s.context},
              // The trained period holds only while the model keeps up with it: the digital parts
              // are left out unless asked for (the paper's attention-only accounting).
              {"token_timing", "fixed"},
              {"digital", "off"}}},
            {"array", {{"tokens", hw.subtile}}},
            {"cell",
             {{"nonlinearity", s.attention == "nonlinear" ? "polynomial" : "linear"},
              {"polarity", 1},
              {"v_max", hw.kv_max},
              {"leakage", {{"model", "voltage"}, {"tau_ns", trained_token_period_ns / hw.decay_per_step}}}}},
            {"timing", {{"token_period_ns", trained_token_period_ns}}},
            {"quant",
             {{"enabled", true},
              {"q_levels", hw.q_levels},
              {"kv_levels", hw.kv_levels},
              {"out_levels", hw.out_levels},
              {"out_clip", "authors"}}},
            {"pulse", {{"s_sat", hw.s_sat}}},
            {"readout", {{"combine", "digital_adders"}, {"scale", hw.readout_scale}}}};
}

/// True when `config` holds every trained value (so the PyTorch reference losses apply).
bool matches_training(const json& config, const json& trained)
{
    for (const auto& [key, value] : trained.items()) {
        if (!config.contains(key))
            return false;
        if (value.is_object() ? !matches_training(config[key], value) : config[key] != value)
            return false;
    }
    return true;
}

std::vector<platform::extra_option> extra_options()
{
    return {
        {"model", "DIR", "trained model: DIR/model.json + model.bin (platforms/gpt_model/train_lm.py --export)",
         (platform::models_dir() / "nonlinear").string()},
        {"mode", "MODE",
         "eval: loss on the validation text; generate: text after --prompt; cost: the config's shape "
         "(e.g. platforms/configs/models/gpt2-xl.json) on synthetic inputs, no trained model",
         std::string("eval")},
        {"prompt", "TEXT", "generate: the text to continue", std::nullopt},
        {"temperature", "T", "generate: 0 = greedy, > 0 samples softmax(logits / T) seeded by --seed",
         std::string("0")},
        {"text", "FILE", "eval: UTF-8 text to evaluate on (default: the validation split of the fortunes, "
                         "rebuilt like train_lm.py)", std::nullopt},
    };
}

double parse_temperature(const std::string& text)
{
    std::size_t used = 0;
    double t = -1;
    try {
        t = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(t >= 0) || t > 100)
        throw config_error("--temperature: value '" + text + "' is out of range; allowed: 0 .. 100");
    return t;
}

/// Input checks that do not depend on the simulation; the plan for the chosen mode.
std::unique_ptr<model::token_plan> make_plan(const platform::cli_options& options, const model::char_model& m)
{
    const std::string mode = options.extra.at("mode");
    if (mode == "eval") {
        if (options.extra.count("prompt"))
            throw config_error("--prompt: only with --mode generate");
        for (const char* unused : {"temperature", "seed"})  // eval draws no random numbers
            if (options.given.count(unused))
                throw config_error(std::string("--") + unused + ": only with --mode generate");
        const std::u32string text = options.extra.count("text") ? model::read_text_file(options.extra.at("text"))
                                                                : model::fortunes_validation_text(m.header().at("corpus"));
        const std::size_t predictions = options.tokens.value_or(1024);
        if (text.size() < 2)  // only --text can be that short
            throw config_error("--text: file '" + options.extra.at("text") + "' holds " + std::to_string(text.size()) +
                               " character(s); allowed: at least 2 (one prediction: an input and its target)");
        if (predictions > text.size() - 1)
            throw config_error("--tokens: value " + std::to_string(predictions) + " is out of range; allowed: 1 .. " +
                               std::to_string(text.size() - 1) + " (predictions in a text of " +
                               std::to_string(text.size()) + " characters)");
        return std::make_unique<model::eval_plan>(m, text, predictions);
    }
    if (mode == "generate") {
        if (!options.extra.count("prompt") || options.extra.at("prompt").empty())
            throw config_error("--prompt: required and non-empty with --mode generate");
        if (options.extra.count("text"))
            throw config_error("--text: only with --mode eval");
        std::u32string prompt;
        try {
            prompt = model::decode_utf8(options.extra.at("prompt"));
        } catch (const std::invalid_argument& e) {
            throw config_error(std::string("--prompt: ") + e.what());
        }
        const double temperature = parse_temperature(options.extra.at("temperature"));
        if (temperature == 0 && options.given.count("seed"))
            throw config_error("--seed: only with --temperature > 0 (greedy decoding draws no random numbers)");
        return std::make_unique<model::generate_plan>(m, prompt, options.tokens.value_or(200), temperature,
                                                      options.seed);
    }
    throw config_error("--mode: value '" + mode + "' is not allowed; allowed: eval, generate, cost");
}

/// The eval figures: what summary.json's "eval" holds and stdout prints.
struct eval_figures {
    std::size_t predictions = 0, unknown_characters = 0;
    double loss = 0;  ///< nats per character
    bool config_matches_training = false;
    std::optional<double> pytorch_loss;  ///< the export's reference at this N, when the config is the trained one

    double bits_per_char() const { return loss / std::log(2.0); }
    double perplexity() const { return std::exp(loss); }
    double relative_gap() const { return (loss - *pytorch_loss) / *pytorch_loss; }

    json to_json() const
    {
        json report = {{"predictions", predictions},
                       {"loss_nats_per_char", loss},
                       {"bits_per_char", bits_per_char()},
                       {"perplexity", perplexity()},
                       {"unknown_characters", unknown_characters},
                       {"config_matches_training", config_matches_training}};
        if (pytorch_loss) {
            report["pytorch_loss"] = *pytorch_loss;
            report["relative_gap"] = relative_gap();
        }
        return report;
    }
};

eval_figures eval_report(const model::eval_plan& plan, const model::char_model& m, bool trained_numerics)
{
    eval_figures e;
    e.predictions = plan.losses().size();
    e.unknown_characters = plan.unknown_characters();
    e.loss = plan.mean_loss();
    e.config_matches_training = trained_numerics;
    // The reference applies: char_model::load accepts only the binary.sha256 it was measured with.
    const json& reference = m.header().value("reference_eval", json::object());
    const std::string n = std::to_string(e.predictions);
    if (trained_numerics && reference.contains("losses") && reference["losses"].contains(n))
        e.pytorch_loss = reference["losses"][n].get<double>();
    return e;
}

/// What gpt_model prints, typed: the values summary.json holds.
struct model_figures {
    std::string title;  ///< "nonlinear model (DIR)" or "cost of the config's shape"
    std::size_t layers = 0, heads = 0, tokens = 0, batch = 1;
    int window = 0, sub_tiles_per_head = 0;
    std::optional<eval_figures> eval;    ///< --mode eval
    std::size_t unknown_characters = 0;  ///< of the text (eval) or the prompt (generate)
    double token_period_ns = 0, clock_period_ns = 0;
    std::vector<double> layer_latency_ns;
    device::phase_cycles cycles;  ///< of one token in one layer, from the circuit
    std::optional<platform::energy_figures> energy;  ///< the whole model's attention, mean per token
    platform::energy_figures worst_case;             ///< the whole model's attention, at full window
    model::heads_period worst_case_period;           ///< the token period the worst case is at
    platform::run_timing timing;
    platform::late_starts late;
    device::head_area area;  ///< of one head
    model::whole_model_report whole;
};

void write_outputs(platform::output_set& outputs, const model::token_plan& plan, const std::string& mode)
{
    std::ostream& out = outputs.add("output.json").stream();
    if (mode == "eval") {
        out << "{\"losses\": [";
        const auto& losses = static_cast<const model::eval_plan&>(plan).losses();
        for (std::size_t i = 0; i < losses.size(); ++i) {
            out << (i ? ", " : "");
            platform::write_number(out, losses[i]);
        }
        out << "]}\n";
    } else {
        const auto& g = static_cast<const model::generate_plan&>(plan);
        out << json{{"generated", model::encode_utf8(g.generated())}}.dump(1) << "\n";
    }
}

/// Late starts over every sequence (model.token_timing = fixed: token t's slot is t x period).
platform::late_starts model_late_starts(const model::model_hardware& hardware, const config::head_config& head)
{
    const sc_time period(head.timing.token_period_ns, SC_NS);
    platform::late_starts all;
    if (hardware.parameters().model.token_timing != config::timing_mode::fixed)
        return all;
    for (const auto& sequence : hardware.times()) {
        const platform::late_starts late = platform::late_starts_of(sequence.entered, period);
        all.tokens += late.tokens;
        all.worst = std::max(all.worst, late.worst);
    }
    return all;
}

/// The published parts of the attention's energy, each with its share and its worst case.
void print_energy_parts(const platform::energy_figures& mean, const platform::energy_figures& worst_case)
{
    for (const char* part : {"qk", "pv", "digital", "dac", "refresh"}) {
        const double pj = mean.parts.at(part);
        std::printf("    %-8s %10s  %5.1f %%   worst case %10s\n", part, platform::pj_text(pj).c_str(),
                    mean.total > 0 ? 100.0 * pj / mean.total : 0.0, platform::pj_text(worst_case.parts.at(part)).c_str());
    }
}

void print_model_summary(const model_figures& f, const platform::output_set& outputs, const std::string& out_dir)
{
    std::printf("gpt_model: %s, %zu layers x %zu heads x %zu sequence(s), window %d, %d sub-tile(s) per head\n",
                f.title.c_str(), f.layers, f.heads, f.batch, f.window, f.sub_tiles_per_head);
    if (f.eval) {
        std::printf("  eval: %zu predictions, loss %.5f nats/char (%.4f bits/char), perplexity %.3f",
                    f.eval->predictions, f.eval->loss, f.eval->bits_per_char(), f.eval->perplexity());
        if (f.eval->pytorch_loss)
            std::printf("; PyTorch %.5f (gap %+.3f %%)", *f.eval->pytorch_loss, 100 * f.eval->relative_gap());
        std::printf("\n");
    }
    if (f.unknown_characters != 0)
        std::printf("  note: %zu character(s) of the %s are outside the model's vocabulary: read as its unknown token\n",
                    f.unknown_characters, f.eval ? "text" : "prompt");
    model::print_whole_model(f.whole);
    std::printf("  attention per layer %llu cycles of %.3g ns: %s\n", static_cast<unsigned long long>(f.cycles.total()),
                f.clock_period_ns, platform::phase_cycles_text(f.cycles).c_str());
    platform::print_late_starts(f.late, f.tokens, f.token_period_ns);
    if (f.energy) {
        std::printf("  attention energy    %s per token (mean over tokens); worst case %s at full window, "
                    "token period %s (%s)\n",
                    platform::pj_text(f.energy->total).c_str(), platform::pj_text(f.worst_case.total).c_str(),
                    platform::ns_text(f.worst_case_period.ns).c_str(), f.worst_case_period.basis);
        print_energy_parts(*f.energy, f.worst_case);
    } else {
        std::printf("  energy per token    none: no token finished\n");
    }
    platform::print_area(f.area, f.layers * f.heads * f.batch,
                         "for the model's attention (" + std::to_string(f.layers) + " x " + std::to_string(f.heads) +
                             " heads x " + std::to_string(f.batch) + ")");
    platform::print_timing(f.timing);
    platform::print_outputs(outputs, out_dir);
}

/// summary.json's per_layer entry of a layer: its attention and digital time per token, the
/// attention's energy over its sequences, its engine's energy per token.
json layer_summary(const decoder_layer& layer, const model::model_energy::engine_parts* engine,
                   const device::phase_cycles& cycles, double passes, double tokens)
{
    const std::vector<energy_ledger::column>& columns = layer.attention.front()->ledger.columns();
    energy_ledger::amounts all(columns.size(), 0), full(columns.size(), 0);
    std::size_t rows = 0, full_rows = 0;
    for (const auto& sequence : layer.attention) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            energy_ledger::add(all[c], sequence->ledger.sum_all()[c]);
            energy_ledger::add(full[c], sequence->ledger.sum_full_window()[c]);
        }
        rows += sequence->ledger.rows();
        full_rows += sequence->ledger.full_window_rows();
    }
    const double attention_ns = layer.attention_time().to_seconds() * 1e9 / passes;
    const double digital_ns = layer.digital_time().to_seconds() * 1e9 / passes;
    json l = {{"latency_per_token_ns", attention_ns + digital_ns},
              {"attention_ns", attention_ns},
              {"digital_ns", digital_ns},
              {"latency_cycles", platform::latency_cycles_report(cycles)},
              {"energy_per_token_pj",
               {{"mean", platform::energy_report(columns, all, rows)},
                {"full_window", platform::energy_report(columns, full, full_rows)},
                {"full_window_tokens", full_rows}}}};
    if (engine)
        l["digital_energy_per_token_pj"] = model::engine_energy_json(*engine, tokens);
    return l;
}

/// The shape the run simulates, and the engines' figures, into summary.json.
json shape_summary(const model::model_hardware::params& p, bool digital)
{
    json shape = {{"layers", p.shape.layers},       {"heads", p.shape.heads},         {"head_dim", p.shape.head_dim},
                  {"d_model", p.shape.d_model},     {"mlp_ratio", p.shape.mlp_ratio}, {"vocab", p.shape.vocab},
                  {"context", p.shape.context},     {"batch", p.model.batch},         {"micro_batch", p.model.group_size()},
                  {"token_timing", config::to_string(p.model.token_timing)},
                  {"digital", config::to_string(p.model.digital)},
                  {"parameters", device::parameter_count(p.shape)}};
    if (digital)
        shape["layer_weights_resident"] = device::layer_weights_resident(p.shape, p.engine);
    return shape;
}

/// Timing, energy and area of the whole model and of each layer, into summary.json and the figures.
void add_hardware_report(json& summary, model_figures& figures, model::model_hardware& hardware,
                         const model::engine_time_meter& meter, const model::model_energy& energy,
                         const config::head_config& head)
{
    figures.window = head.window;
    figures.sub_tiles_per_head = head.sub_tiles();
    figures.token_period_ns = head.timing.token_period_ns;
    figures.late = model_late_starts(hardware, head);
    figures.whole = model::report_whole_model(hardware, meter, energy, head);
    summary["shape"] = shape_summary(hardware.parameters(), hardware.digital());
    summary["per_token"] = figures.whole.per_token;
    summary["area"] = figures.whole.area;
    summary["token_period"] = figures.whole.token_period;
    summary["throughput_tokens_per_s"] = figures.whole.throughput_tokens_per_s;
    summary["retention"] = figures.whole.retention;
    summary["sub_tiles_per_head"] = head.sub_tiles();
    summary["token_period_ns"] = head.timing.token_period_ns;
    const double heads_period_ns = model::heads_token_period(hardware, head).ns;  // what the cells aged by
    summary["decay_per_token"] = head.cell.leakage.tau_ns > 0 ? heads_period_ns / head.cell.leakage.tau_ns : 0.0;
    summary["latency_per_token_ns"] = platform::latency_report(hardware.token_latency());
    summary["tokens_started_late"] = hardware.late_tokens();
    figures.energy = model::attention_energy(hardware, false);
    const std::size_t heads = hardware.layers.size() * hardware.parameters().shape.heads;
    // At the period the heads saw: their static power is charged over it, as in the mean.
    figures.worst_case_period = model::heads_token_period(hardware, head);
    config::head_config seen = head;
    seen.timing.token_period_ns = figures.worst_case_period.ns;
    figures.worst_case = platform::worst_case_energy(seen, heads);
    json worst_case = figures.worst_case.to_json();
    worst_case["token_period_ns"] = figures.worst_case_period.ns;
    worst_case["token_period_basis"] = figures.worst_case_period.basis;
    summary["energy_per_token_pj"] = {{"mean", platform::energy_json(figures.energy)},
                                      {"full_window", platform::energy_json(model::attention_energy(hardware, true))},
                                      {"worst_case", worst_case}};
    summary["clock_period_ns"] = head.timing.clock_period_ns;
    const device::phase_cycles cycles = config::head_phase_cycles(head);
    figures.cycles = cycles;
    figures.clock_period_ns = head.timing.clock_period_ns;
    const double tokens = static_cast<double>(std::max<std::size_t>(hardware.tokens_done(), 1));
    const double passes = tokens / static_cast<double>(hardware.parameters().model.group_size());
    summary["per_layer"] = json::array();
    for (std::size_t l = 0; l < hardware.layers.size(); ++l)
        summary["per_layer"].push_back(layer_summary(*hardware.layers[l], hardware.digital() ? &energy.charged()[l] : nullptr,
                                                     cycles, passes, tokens));
    if (hardware.digital())
        summary["embedding_and_head"] = {
            {"digital_energy_per_token_pj", model::engine_energy_json(energy.charged().back(), tokens)}};
    figures.area = device::area_of_head(head);
    summary["area_mm2"] = platform::area_report(figures.area, hardware.parameters().shape.heads);
    summary["area_mm2"]["model"] = figures.whole.area["total"];
    summary["provenance"] = platform::provenance_report("gpt_model");
}

/// The model's shape and run from the config (d_model = heads x head_dim).
model::model_hardware::params hardware_params(const json& config, const config::head_config& head)
{
    model::model_hardware::params p;
    p.model = config::parse_model_config(config);
    const std::size_t heads = config::layer_heads_params().parse(config).heads;
    const std::size_t dim = static_cast<std::size_t>(head.head_dim);
    p.shape = {heads * dim, heads, dim, p.model.layers, p.model.mlp_ratio, p.model.vocab, p.model.context};
    p.engine = config::parse_engine_config(config);
    p.memory = config::parse_memory_config(config);
    p.threads = config::parse_sim_threads(config);
    return p;
}

/// A trained model runs its own shape, one sequence at a time.
void check_trained_shape(const model::model_hardware::params& p, const model::char_model& m)
{
    const model::model_shape& s = m.shape();
    auto require = [](const std::string& key, std::size_t value, std::size_t model, const std::string& what) {
        if (value != model)
            throw config_error("config key '" + key + "': value " + std::to_string(value) + " differs from the model's " +
                               what + "; allowed: " + std::to_string(model));
    };
    require("head_dim", p.shape.head_dim, s.head_dim, "head dimension");
    require("heads", p.shape.heads, s.heads, "heads per layer");
    require("model.layers", p.shape.layers, s.layers, "layers");
    require("model.vocab", p.shape.vocab, s.vocab_size, "vocabulary");
    require("model.context", p.shape.context, s.context, "context");
    require("model.batch", p.model.batch, 1, "one sequence (eval and generate run one text)");
}

/// --mode cost: --tokens per sequence, seeded inputs of the layer platform's statistics.
std::unique_ptr<model::synthetic_numerics> cost_numerics(const platform::cli_options& options, const json& config,
                                                         const model::model_hardware::params& p,
                                                         const config::head_config& head)
{
    for (const char* unused : {"model", "prompt", "text", "temperature"})
        if (options.given.count(unused))
            throw config_error(std::string("--") + unused + ": not with --mode cost (no trained model)");
    model::synthetic_numerics::params s;
    s.layers = p.shape.layers;
    s.heads = p.shape.heads;
    s.head_dim = p.shape.head_dim;
    s.batch = p.model.batch;
    s.tokens = options.tokens.value_or(default_cost_tokens);
    s.context = p.shape.context;
    s.v_max = head.cell.v_max;
    s.inputs = config::parse_input_config(config);
    s.seed = options.seed;
    return std::make_unique<model::synthetic_numerics>(s);
}

/// What the progress line counts: eval the predictions, generate the characters written, cost the
/// tokens of every sequence; and how many there will be.
struct progress_count {
    std::string unit;
    std::size_t total;
    std::function<std::size_t()> done;
};

progress_count progress_of(const std::string& mode, const model::token_plan* plan,
                           const model::model_hardware& hardware, std::size_t cost_tokens)
{
    if (mode == "eval") {
        const auto& eval = static_cast<const model::eval_plan&>(*plan);
        return {"predictions", eval.predictions(), [&eval] { return eval.losses().size(); }};
    }
    if (mode == "generate") {
        const auto& generate = static_cast<const model::generate_plan&>(*plan);
        return {"characters", generate.characters_wanted(), [&generate] { return generate.characters_written(); }};
    }
    return {"tokens", cost_tokens, [&hardware] { return hardware.tokens_done(); }};
}

/// The finished model stays until the process ends, which frees it at once: torn down object by
/// object it would cost seconds, since SystemC's module registry finds each module to remove by a
/// linear search (GPT-2 XL's 1200 heads: 4 s of CPU, a quarter of a 64-token cost run). The pointer
/// keeps it reachable, so a leak checker does not report it. On an error the model is torn down as usual.
void keep_until_exit(std::unique_ptr<model::model_hardware> hardware)
{
    static auto* const kept = new std::vector<std::unique_ptr<model::model_hardware>>();  // never deleted
    kept->push_back(std::move(hardware));
}

void run(session& state, const platform::cli_options& options, const json& config)
{
    const std::string mode = options.extra.at("mode");
    const bool cost = mode == "cost";
    const config::head_config head = config::parse_head_config(config);
    const model::model_hardware::params params = hardware_params(config, head);
    if (!cost)
        check_trained_shape(params, *state.model);
    // Every layer's heads of every sequence, before any is built.
    platform::check_memory(platform::layer_memory(head, params.shape.layers * params.shape.heads * params.model.batch,
                                                  0, "model.layers x heads x model.batch"));
    std::unique_ptr<model::token_plan> plan;
    std::unique_ptr<model::model_numerics> numerics;
    if (cost) {
        numerics = cost_numerics(options, config, params, head);
    } else {
        plan = make_plan(options, *state.model);
        numerics = std::make_unique<model::trained_numerics>(*state.model, *plan);
    }
    platform::prepare_output_dir(options.out_dir);
    // Every name a platform writes: an earlier head run's trace.vcd in this folder goes at the commit.
    platform::output_set outputs(options.out_dir, platform::run_output_names());

    auto built = std::make_unique<model::model_hardware>("model", head, params, *numerics);
    model::model_hardware& hardware = *built;
    // Checked before each token: the progress line counts what the mode promises (a generation's
    // restarts feed some characters twice, so it counts the characters written, not the tokens fed).
    const progress_count count = progress_of(mode, plan.get(), hardware,
                                             params.model.batch * options.tokens.value_or(default_cost_tokens));
    platform::progress bar("gpt_model", count.total, count.unit, platform::progress_wanted(options));
    hardware.stop_when([&] {
        bar.update(count.done());
        return platform::stop_requested();
    });
    model::engine_time_meter meter(hardware);
    model::model_energy energy(outputs.add("energy.csv"), hardware);

    const auto wall_start = std::chrono::steady_clock::now();
    run_simulation();
    bar.update(count.done());
    bar.finish();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

    json summary = platform::run_summary("gpt_model", options, config, hardware.tokens_done(), wall_s);
    summary["mode"] = mode;
    summary["input"] = cost ? "synthetic (input.*, --seed)"
                            : mode == "eval" ? (options.extra.count("text") ? options.extra.at("text") : "fortunes validation split")
                                             : "prompt";
    summary["interrupted"] = platform::stop_requested();
    model_figures figures;
    figures.layers = params.shape.layers;
    figures.heads = params.shape.heads;
    figures.batch = params.model.batch;
    figures.tokens = hardware.tokens_done();
    figures.timing = platform::timing_now(hardware.tokens_done(), wall_s);
    add_hardware_report(summary, figures, hardware, meter, energy, head);
    if (cost) {
        figures.title = "cost of the config's shape (synthetic inputs)";
    } else {
        const model::char_model& m = *state.model;
        figures.title = m.shape().attention + " model (" + m.dir() + ")";
        summary["model"] = {{"dir", m.dir()},           {"attention", m.shape().attention}, {"layers", m.shape().layers},
                            {"heads", m.shape().heads}, {"trained_window", m.shape().window},
                            {"binary_sha256", m.header()["binary"]["sha256"]},
                            {"trained_config", state.derived}};
    }
    if (mode == "eval") {
        figures.eval = eval_report(static_cast<const model::eval_plan&>(*plan), *state.model,
                                   matches_training(config, state.derived));
        figures.unknown_characters = figures.eval->unknown_characters;
        summary["eval"] = figures.eval->to_json();
    } else if (mode == "generate") {
        const auto& g = static_cast<const model::generate_plan&>(*plan);
        figures.unknown_characters = g.unknown_characters();
        summary["generate"] = {{"prompt", options.extra.at("prompt")},
                               {"unknown_characters", figures.unknown_characters},
                               {"generated", model::encode_utf8(g.generated())}};
    }
    summary["files"] = {{"energy_csv", outputs.path("energy.csv")}};
    if (!cost) {
        write_outputs(outputs, *plan, mode);
        summary["files"]["output"] = outputs.path("output.json");
    }
    if (config::model_platform_params().parse(config).output.timeline) {
        model::write_timeline(outputs.add("timeline.json").stream(), hardware);
        summary["files"]["timeline"] = outputs.path("timeline.json");
    }
    outputs.add("summary.json").stream() << summary.dump(2) << "\n";
    outputs.commit();
    if (mode == "generate")
        std::cout << options.extra.at("prompt") << summary["generate"]["generated"].get<std::string>() << "\n";
    print_model_summary(figures, outputs, options.out_dir);
    keep_until_exit(std::move(built));
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    session state;
    platform::platform_info info;
    info.name = "gpt_model";
    info.summary = "Run a whole GPT on the chip: every attention head a gain-cell head, the digital parts on "
                   "digital engines (SystemC/TLM-2.0).\n--mode eval (loss, perplexity) or --mode generate --prompt "
                   "TEXT on a trained character-level GPT (its config defaults to what it was trained with); "
                   "--mode cost on any shape, e.g. --config platforms/configs/models/gpt2-xl.json.";
    info.default_config = (platform::config_dir() / "gpt_model.json").string();
    info.default_out = "out/gpt_model";
    info.default_tokens = 1024;
    info.add_params = [](config::param_schema& s) { config::add_platform_params(s, "gpt_model"); };
    info.extra_options = extra_options();
    info.input_vectors = false;  // the model computes every head's q, k, v
    info.tokens_help = "eval: predictions (default 1024); generate: characters to write (default 200); "
                       "cost: tokens per sequence (default 64)";
    info.seed_help = "generate with --temperature > 0: seed of the sampling; cost: seed of the synthetic q, k, v "
                     "(0 .. 2^64-1)";
    info.derived_defaults = [&state](const platform::cli_options& options) {
        if (options.extra.at("mode") == "cost")  // no trained model: the config's shape
            return json::object();
        state.model = model::char_model::load(model_dir(options));
        check_runnable(*state.model);
        state.derived = trained_config(*state.model);
        return state.derived;
    };
    return platform::run_platform(argc, argv, info, [&state](const platform::cli_options& o, const json& c) {
        run(state, o, c);
    });
}
