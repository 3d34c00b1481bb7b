// Platform `gpt_model`: a trained character-level GPT (platforms/gpt_model/train_lm.py, models/<variant>/)
// whose every attention head runs on the gain-cell hardware model: one attention_layer per model
// layer, the digital parts (embeddings, LayerNorm, projections, scalers, MLP, head) in C++.
//   --mode eval      cross-entropy and perplexity on the validation text (platforms/gpt_model/README.md protocol)
//   --mode generate  the text the model writes after --prompt
// Both report latency and energy per token of the whole model's attention and per layer. The head
// config defaults to what the model was trained with (model.json); --config / --set change it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
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
#include "config/platform_params.h"
#include "config/run_config.h"
#include "device/cell_model.h"
#include "device/circuit_area.h"
#include "char_model.h"
#include "model_hardware.h"
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
        {"mode", "MODE", "eval: loss on the validation text; generate: text after --prompt", std::string("eval")},
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
    throw config_error("--mode: value '" + mode + "' is not allowed; allowed: eval, generate");
}

/// Whole-model energy per token: every layer's ledger summed (each layer has one row per token).
std::optional<platform::energy_figures> model_energy(const model::model_hardware& hw, bool full_window_only)
{
    const std::vector<energy_ledger::column>& columns = hw.layers.front()->ledger.columns();
    energy_ledger::amounts sum(columns.size(), 0);
    std::size_t rows = 0;
    for (const auto& layer : hw.layers) {
        const energy_ledger::amounts& part = full_window_only ? layer->ledger.sum_full_window() : layer->ledger.sum_all();
        for (std::size_t c = 0; c < sum.size(); ++c)
            sum[c] += part[c];
        rows = full_window_only ? layer->ledger.full_window_rows() : layer->ledger.rows();
    }
    return platform::mean_energy(columns, sum, rows);
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
    std::string attention, dir;
    std::size_t layers = 0, heads = 0, tokens = 0;
    int window = 0, sub_tiles_per_head = 0;
    std::optional<eval_figures> eval;    ///< --mode eval
    std::size_t unknown_characters = 0;  ///< of the text (eval) or the prompt (generate)
    double latency_ns = 0, token_period_ns = 0, clock_period_ns = 0;
    std::vector<double> layer_latency_ns;
    device::phase_cycles cycles;  ///< of one token in one layer, from the circuit
    std::vector<std::optional<platform::energy_figures>> layer_energy;  ///< mean per token
    std::optional<platform::energy_figures> energy;                     ///< the whole model's, mean per token
    platform::energy_figures worst_case;                                ///< the whole model's, at full window
    platform::run_timing timing;
    platform::late_starts late;
    device::head_area area;  ///< of one head
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

/// The model enters token t at its slot t x period, or later when token t-1 is still in the layers.
platform::late_starts model_late_starts(const model::model_hardware& hardware, const config::head_config& head)
{
    const sc_time period(head.timing.token_period_ns, SC_NS);
    std::vector<sc_time> starts;
    sc_time free = SC_ZERO_TIME;
    for (const sc_time& latency : hardware.token_latency()) {
        starts.push_back(std::max(static_cast<double>(starts.size()) * period, free));
        free = starts.back() + latency;
    }
    return platform::late_starts_of(starts, period);
}

void print_model_summary(const model_figures& f, const platform::output_set& outputs, const std::string& out_dir)
{
    std::printf("gpt_model: %s model (%s), %zu layers x %zu heads, window %d, %d sub-tile(s) per head\n",
                f.attention.c_str(), f.dir.c_str(), f.layers, f.heads, f.window, f.sub_tiles_per_head);
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
    std::printf("  latency per token   %.1f ns of attention (", f.latency_ns);
    for (std::size_t l = 0; l < f.layer_latency_ns.size(); ++l)
        std::printf("%s%.1f", l ? " + " : "", f.layer_latency_ns[l]);
    std::printf(" ns; a layer %llu cycles of %.3g ns: %s), token period %.1f ns\n",
                static_cast<unsigned long long>(f.cycles.total()), f.clock_period_ns,
                platform::phase_cycles_text(f.cycles).c_str(), f.token_period_ns);
    platform::print_late_starts(f.late, f.tokens, f.token_period_ns);
    if (f.energy) {
        std::printf("  energy per token    %.1f pJ (mean over tokens; per layer", f.energy->total);
        for (const auto& layer : f.layer_energy)
            std::printf(" %.1f", layer ? layer->total : 0.0);
        std::printf("); worst case %.1f pJ at full window\n", f.worst_case.total);
        platform::print_energy_parts(*f.energy, &f.worst_case);
    } else {
        std::printf("  energy per token    none: no token finished\n");
    }
    platform::print_area(f.area, f.layers * f.heads,
                         "for the model (" + std::to_string(f.layers) + " x " + std::to_string(f.heads) + " heads)");
    platform::print_timing(f.timing);
    platform::print_outputs(outputs, out_dir);
}

/// summary.json's per_layer entry of a layer; its latency and mean energy per token into the figures.
json layer_summary(const attention_layer& layer, const platform::latency_meter& latency,
                   const device::phase_cycles& cycles, model_figures& figures)
{
    const json l = latency.report();
    const auto& ledger = layer.ledger;
    const std::optional<platform::energy_figures> mean = platform::mean_energy(ledger.columns(), ledger.sum_all(), ledger.rows());
    figures.layer_latency_ns.push_back(l["mean"].get<double>());
    figures.layer_energy.push_back(mean);
    return {{"latency_per_token_ns", l["mean"]},
            {"latency_ns", l},
            {"latency_cycles", platform::latency_cycles_report(cycles)},
            {"energy_per_token_pj",
             {{"mean", platform::energy_json(mean)},
              {"full_window", platform::energy_report(ledger.columns(), ledger.sum_full_window(), ledger.full_window_rows())},
              {"full_window_tokens", ledger.full_window_rows()}}}};
}

/// A latency meter per layer, and energy.csv rows (token, layer, components, total) from every ledger.
std::vector<std::unique_ptr<platform::latency_meter>> attach_meters(model::model_hardware& hardware,
                                                                    platform::energy_csv& csv)
{
    std::vector<std::unique_ptr<platform::latency_meter>> latency;
    for (std::size_t l = 0; l < hardware.layers.size(); ++l) {
        latency.push_back(std::make_unique<platform::latency_meter>());
        hardware.layers[l]->add_observer(latency.back().get());
        csv.attach(hardware.layers[l]->ledger, l);
    }
    return latency;
}

/// Area of a head, a layer and the model, and the cost keys' sources, into summary.json and the figures.
void add_area_report(json& summary, model_figures& figures, const config::head_config& head)
{
    figures.area = device::area_of_head(head);
    summary["area_mm2"] = platform::area_report(figures.area, figures.heads);
    summary["area_mm2"]["model"] = device::mm2(figures.area.total()) * static_cast<double>(figures.layers * figures.heads);
    summary["provenance"] = platform::provenance_report("gpt_model");
}

/// Timing and energy of the whole model's attention and of each layer, into summary.json and the figures.
void add_hardware_report(json& summary, model_figures& figures, const model::model_hardware& hardware,
                         const config::head_config& head,
                         const std::vector<std::unique_ptr<platform::latency_meter>>& latency)
{
    figures.window = head.window;
    figures.sub_tiles_per_head = head.sub_tiles();
    figures.token_period_ns = head.timing.token_period_ns;
    figures.late = model_late_starts(hardware, head);
    summary["sub_tiles_per_head"] = head.sub_tiles();
    summary["token_period_ns"] = head.timing.token_period_ns;
    summary["decay_per_token"] = head.cell.leakage.tau_ns > 0 ? head.timing.token_period_ns / head.cell.leakage.tau_ns : 0.0;
    const json latency_ns = platform::latency_report(hardware.token_latency());
    figures.latency_ns = latency_ns["mean"].get<double>();
    summary["latency_per_token_ns"] = latency_ns;
    summary["tokens_started_late"] = hardware.late_tokens();
    figures.energy = model_energy(hardware, false);
    const std::size_t heads = hardware.layers.size() * hardware.layers.front()->heads.size();
    figures.worst_case = platform::worst_case_energy(head, heads);
    summary["energy_per_token_pj"] = {{"mean", platform::energy_json(figures.energy)},
                                      {"full_window", platform::energy_json(model_energy(hardware, true))},
                                      {"worst_case", figures.worst_case.to_json()}};
    summary["clock_period_ns"] = head.timing.clock_period_ns;
    const device::phase_cycles cycles = config::head_phase_cycles(head);
    figures.cycles = cycles;
    figures.clock_period_ns = head.timing.clock_period_ns;
    summary["per_layer"] = json::array();
    for (std::size_t l = 0; l < hardware.layers.size(); ++l)
        summary["per_layer"].push_back(layer_summary(*hardware.layers[l], *latency[l], cycles, figures));
    add_area_report(summary, figures, head);
}

void run(session& state, const platform::cli_options& options, const json& config)
{
    const model::char_model& m = *state.model;
    const config::head_config head = config::parse_head_config(config);
    if (static_cast<std::size_t>(head.head_dim) != m.shape().head_dim)
        throw config_error("config key 'head_dim': value " + std::to_string(head.head_dim) +
                           " differs from the model's head dimension; allowed: " + std::to_string(m.shape().head_dim));
    // Every layer's heads, before any is built (model.json sets their count; the weights are in).
    platform::check_memory(platform::layer_memory(head, m.shape().layers * m.shape().heads, 0, "model layers x heads"));
    const std::string mode = options.extra.at("mode");
    const std::unique_ptr<model::token_plan> plan = make_plan(options, m);
    platform::prepare_output_dir(options.out_dir);
    // Every name a platform writes: an earlier head run's trace.vcd in this folder goes at the commit.
    platform::output_set outputs(options.out_dir, platform::run_output_names());

    model::model_hardware hardware("model", m, head, config::parse_sim_threads(config), *plan);
    // Checked before each token: the progress line counts the tokens done there (total unknown:
    // a generation's restarts feed some characters twice).
    platform::progress bar("gpt_model", 0, "tokens", platform::progress_wanted(options));
    hardware.stop_when([&] {
        bar.update(hardware.tokens_done());
        return platform::stop_requested();
    });
    platform::energy_csv csv(outputs.add("energy.csv"), true);
    const auto latency = attach_meters(hardware, csv);

    const auto wall_start = std::chrono::steady_clock::now();
    run_simulation();
    bar.update(hardware.tokens_done());
    bar.finish();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

    json summary = platform::run_summary("gpt_model", options, config, hardware.tokens_done(), wall_s);
    summary["mode"] = mode;
    summary["input"] = mode == "eval" ? (options.extra.count("text") ? options.extra.at("text") : "fortunes validation split")
                                      : "prompt";
    summary["interrupted"] = platform::stop_requested();
    summary["model"] = {{"dir", m.dir()},           {"attention", m.shape().attention}, {"layers", m.shape().layers},
                        {"heads", m.shape().heads}, {"trained_window", m.shape().window},
                        {"binary_sha256", m.header()["binary"]["sha256"]},
                        {"trained_config", state.derived}};
    model_figures figures;
    figures.attention = m.shape().attention;
    figures.dir = m.dir();
    figures.layers = m.shape().layers;
    figures.heads = m.shape().heads;
    figures.tokens = hardware.tokens_done();
    figures.timing = platform::timing_now(hardware.tokens_done(), wall_s);
    add_hardware_report(summary, figures, hardware, head, latency);
    const bool trained_numerics = matches_training(config, state.derived);
    const std::string generated =
        mode == "eval" ? "" : model::encode_utf8(static_cast<const model::generate_plan&>(*plan).generated());
    if (mode == "eval") {
        figures.eval = eval_report(static_cast<const model::eval_plan&>(*plan), m, trained_numerics);
        figures.unknown_characters = figures.eval->unknown_characters;
        summary["eval"] = figures.eval->to_json();
    } else {
        figures.unknown_characters = static_cast<const model::generate_plan&>(*plan).unknown_characters();
        summary["generate"] = {{"prompt", options.extra.at("prompt")},
                               {"unknown_characters", figures.unknown_characters},
                               {"generated", generated}};
    }
    summary["files"] = {{"energy_csv", outputs.path("energy.csv")}, {"output", outputs.path("output.json")}};
    write_outputs(outputs, *plan, mode);
    outputs.add("summary.json").stream() << summary.dump(2) << "\n";
    outputs.commit();
    if (mode == "generate")
        std::cout << options.extra.at("prompt") << generated << "\n";
    print_model_summary(figures, outputs, options.out_dir);
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    session state;
    platform::platform_info info;
    info.name = "gpt_model";
    info.summary = "Run a trained character-level GPT whose every attention head is a gain-cell head "
                   "(SystemC/TLM-2.0): --mode eval (loss, perplexity) or --mode generate --prompt TEXT.\n"
                   "The head config defaults to what the model was trained with; --set changes it.";
    info.default_config = (platform::config_dir() / "gpt_model.json").string();
    info.default_out = "out/gpt_model";
    info.default_tokens = 1024;
    info.add_params = [](config::param_schema& s) { config::add_platform_params(s, "gpt_model"); };
    info.extra_options = extra_options();
    info.input_vectors = false;  // the model computes every head's q, k, v
    info.tokens_help = "eval: predictions (default 1024); generate: characters to write (default 200)";
    info.seed_help = "generate with --temperature > 0: seed of the sampling (0 .. 2^64-1)";
    info.derived_defaults = [&state](const platform::cli_options& options) {
        state.model = model::char_model::load(model_dir(options));
        check_runnable(*state.model);
        state.derived = trained_config(*state.model);
        return state.derived;
    };
    return platform::run_platform(argc, argv, info, [&state](const platform::cli_options& o, const json& c) {
        run(state, o, c);
    });
}
