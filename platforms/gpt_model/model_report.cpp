#include "model_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "device/circuit_area.h"
#include "energy_ledger.h"

namespace gcasim::model {

using namespace sc_core;
using nlohmann::json;

namespace {

double ns(const sc_time& t) { return t.to_seconds() * 1e9; }

double pj(attojoules aj) { return energy_ledger::to_pj(aj); }

/// Share of `part` in `total` (0 when the total is 0).
double share(double part, double total) { return total > 0 ? part / total : 0.0; }

}  // namespace

engine_time_meter::engine_time_meter(model_hardware& hardware)
    : compute_ns_(hardware.engines.size(), 0.0), stall_ns_(hardware.engines.size(), 0.0)
{
    for (std::size_t e = 0; e < hardware.engines.size(); ++e)
        hardware.engines[e]->set_op_listener([this, e](const digital_engine::op_record& op) {
            compute_ns_[e] += ns(op.compute);
            stall_ns_[e] += std::max(0.0, ns(op.duration) - ns(op.compute));
        });
}

std::optional<platform::energy_figures> attention_energy(const model_hardware& hw, bool full_window_only)
{
    const std::vector<energy_ledger::column>& columns = hw.layers.front()->attention.front()->ledger.columns();
    energy_ledger::amounts sum(columns.size(), 0);
    std::size_t rows = 0;  // tokens of every sequence (each layer has one row per token and sequence)
    for (const auto& layer : hw.layers)
        for (const auto& sequence : layer->attention) {
            const auto& ledger = sequence->ledger;
            const energy_ledger::amounts& part = full_window_only ? ledger.sum_full_window() : ledger.sum_all();
            for (std::size_t c = 0; c < sum.size(); ++c)
                energy_ledger::add(sum[c], part[c]);
        }
    for (const auto& sequence : hw.layers.front()->attention)
        rows += full_window_only ? sequence->ledger.full_window_rows() : sequence->ledger.rows();
    return platform::mean_energy(columns, sum, rows);
}

std::optional<double> derived_token_period_ns(const model_hardware& hw)
{
    double sum = 0;
    std::size_t n = 0;
    for (const auto& s : hw.times())
        if (s.entered.size() >= 2) {
            sum += ns(s.entered.back() - s.entered.front()) / static_cast<double>(s.entered.size() - 1);
            ++n;
        }
    if (n == 0)
        return std::nullopt;
    return sum / static_cast<double>(n);
}

heads_period heads_token_period(const model_hardware& hw, const config::head_config& head)
{
    const std::optional<double> derived = derived_token_period_ns(hw);
    const bool fixed = hw.parameters().model.token_timing == config::timing_mode::fixed;
    if (fixed && (hw.late_tokens() == 0 || !derived))
        return {head.timing.token_period_ns, "configured"};
    if (derived)
        return {*derived, "derived"};
    const std::vector<sc_time> latency = hw.token_latency();
    double sum = 0;
    for (const sc_time& t : latency)
        sum += ns(t);
    return {latency.empty() ? head.timing.token_period_ns : sum / static_cast<double>(latency.size()), "latency"};
}

namespace {

json latency_split(const model_hardware& hw, const engine_time_meter& meter)
{
    // A token lives through its micro-batch's pass: per pass, each stage's attention and ops.
    const double passes = static_cast<double>(std::max<std::size_t>(hw.tokens_done(), 1)) /
                          static_cast<double>(hw.parameters().model.group_size());  // no token (Ctrl-C): zeros
    double attention = 0, compute = 0, stall = 0;
    for (const auto& layer : hw.layers)
        attention += ns(layer->attention_time());
    for (std::size_t e = 0; e < meter.compute_ns().size(); ++e) {
        compute += meter.compute_ns()[e];
        stall += meter.stall_ns()[e];
    }
    const json latency = platform::latency_report(hw.token_latency());
    const double mean = latency["mean"].get<double>();
    attention /= passes;
    compute /= passes;
    stall /= passes;
    return {{"mean", mean},
            {"min", latency["min"]},
            {"max", latency["max"]},
            {"attention", attention},
            {"digital_compute", compute},
            {"memory_traffic", stall},
            {"waiting", std::max(0.0, mean - attention - compute - stall)},
            {"attention_share", share(attention, mean)}};
}

json energy_split(const model_hardware& hw, const model_energy& energy)
{
    const double tokens = static_cast<double>(std::max<std::size_t>(hw.tokens_done(), 1));  // no token: zeros
    const std::optional<platform::energy_figures> analog = attention_energy(hw, false);
    const std::optional<platform::energy_figures> full = attention_energy(hw, true);
    // What energy.csv's rows hold (model_energy): the same sums, so the two agree.
    model_energy::engine_parts sum;
    for (const model_energy::engine_parts& stage : energy.charged()) {
        energy_ledger::add(sum.mac, stage.mac);
        energy_ledger::add(sum.sram, stage.sram);
        energy_ledger::add(sum.memory, stage.memory);
        energy_ledger::add(sum.statics, stage.statics);
    }
    const double mac = pj(sum.mac), sram = pj(sum.sram), statics = pj(sum.statics);
    double memory = pj(sum.memory);
    const double attention = analog ? analog->total : 0.0;
    const double digital = (mac + sram + statics) / tokens;
    memory /= tokens;
    const double total = attention + digital + memory;
    return {{"attention", attention},
            {"attention_full_window", full ? json(full->total) : json()},
            {"digital_compute", digital},
            {"digital_parts", {{"engine_mac", mac / tokens}, {"engine_sram", sram / tokens}, {"engine_static", statics / tokens}}},
            {"memory_traffic", memory},
            {"memory_bytes", hw.memory ? static_cast<double>(hw.memory->total().bytes) / tokens : 0.0},
            {"total", total},
            {"attention_share", share(attention, total)}};
}

json area_split(const model_hardware& hw, const config::head_config& head)
{
    const model_hardware::params& p = hw.parameters();
    const double heads = static_cast<double>(p.shape.heads * p.shape.layers * p.model.batch);
    const double attention = device::mm2(device::area_of_head(head).total()) * heads;
    double engines = 0;
    for (const auto& engine : hw.engines)
        engines += device::mm2(engine->area().total());
    return {{"attention", attention},
            {"attention_heads", heads},
            {"engines", engines},
            {"engine_count", hw.engines.size()},
            {"total", attention + engines},
            {"attention_share", share(attention, attention + engines)}};
}

/// The key written window - 1 tokens ago, read by the current query: its age and decay, against
/// the layer platform's design point (800 ns period, window 1024, default tau), and what holds it.
json retention(const model_hardware& hw, const config::head_config& head, double period_ns)
{
    const config::head_config design = config::default_head_config();
    const double design_age = (design.window - 1) * design.timing.token_period_ns;
    const double design_decay = std::exp(-design_age / design.cell.leakage.tau_ns);
    const std::size_t window = std::min<std::size_t>(static_cast<std::size_t>(head.window), hw.parameters().shape.context);
    const double age = static_cast<double>(window - 1) * period_ns;
    const bool leaks = head.cell.leakage.model != device::leakage_form::none && head.cell.leakage.tau_ns > 0;
    const double tau = head.cell.leakage.tau_ns;
    const double decay = leaks ? std::exp(-age / tau) : 1.0;
    json r = {{"window", window},
              {"token_period_ns", period_ns},
              {"oldest_key_age_ns", age},
              {"tau_ns", tau},
              {"oldest_key_decay", decay},
              {"design_point",
               {{"token_period_ns", design.timing.token_period_ns}, {"window", design.window},
                {"tau_ns", design.cell.leakage.tau_ns}, {"oldest_key_age_ns", design_age},
                {"oldest_key_decay", design_decay}}},
              {"holds_design_point", decay >= design_decay * (1 - 1e-12)}};  // equal at the design point
    // To hold the design point's decay: cells with tau x age / design_age, or refresh re-writing
    // keys once they are as old as the design point's oldest key at this tau.
    r["to_hold"] = {{"cell.leakage.tau_ns", design.cell.leakage.tau_ns * age / design_age},
                    {"refresh.age_ns", leaks ? -tau * std::log(design_decay) : 0.0}};
    const model_hardware::sequence_times& first = hw.times().front();
    if (first.entered.size() >= window) {  // the age the simulation actually had at the last token
        const std::size_t t = first.entered.size() - 1;
        const double measured = ns(first.entered[t] - first.entered[t + 1 - window]);
        r["measured_oldest_key_age_ns"] = measured;
        r["measured_oldest_key_decay"] = leaks ? std::exp(-measured / tau) : 1.0;
    }
    return r;
}

}  // namespace

json engine_energy_json(const model_energy::engine_parts& parts, double tokens)
{
    return {{"engine_mac", pj(parts.mac) / tokens},
            {"engine_sram", pj(parts.sram) / tokens},
            {"memory", pj(parts.memory) / tokens},
            {"engine_static", pj(parts.statics) / tokens}};
}

whole_model_report report_whole_model(const model_hardware& hw, const engine_time_meter& meter,
                                      const model_energy& energy, const config::head_config& head)
{
    whole_model_report r;
    const std::optional<double> derived = derived_token_period_ns(hw);
    const double configured = head.timing.token_period_ns;
    const heads_period period = heads_token_period(hw, head);
    r.per_token = {{"latency_ns", latency_split(hw, meter)}, {"energy_pj", energy_split(hw, energy)}};
    r.area = area_split(hw, head);
    r.token_period = {{"timing", config::to_string(hw.parameters().model.token_timing)},
                      {"configured_ns", configured},
                      {"derived_ns", derived ? json(*derived) : json()},
                      {"tokens_started_late", hw.late_tokens()},
                      {"heads_ns", period.ns},
                      {"heads_basis", period.basis}};
    r.retention = retention(hw, head, period.ns);
    bool any = false;
    sc_time first = SC_ZERO_TIME, last = SC_ZERO_TIME;
    for (const auto& s : hw.times())
        if (!s.left.empty()) {
            first = any ? std::min(first, s.entered.front()) : s.entered.front();
            last = std::max(last, s.left.back());
            any = true;
        }
    if (any && last > first)
        r.throughput_tokens_per_s = static_cast<double>(hw.tokens_done()) / (last - first).to_seconds();
    return r;
}

namespace {

/// A share as a percentage people can read at any size: "0.2 %", "0.0121 %".
std::string percent_text(double share)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3g %%", 100 * share);
    return text;
}

/// exp(-x) as a number, or as "e^-x" where it is below what a double holds.
std::string decay_text(double decay, double exponent)
{
    char text[48];
    if (decay > 0 || exponent <= 0)
        std::snprintf(text, sizeof text, "%.3g", decay);
    else
        std::snprintf(text, sizeof text, "e^-%.4g", exponent);
    return text;
}

/// A config key's value in ns, with its time beside it: "3.06e+09 ns (3.06 s)".
std::string ns_key_text(double ns)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.3g ns (%s)", ns, platform::ns_text(ns).c_str());
    return text;
}

/// The per-token latency and energy split of a run with the engines.
void print_split(const json& l, const json& e)
{
    using platform::ns_text;
    using platform::pj_text;
    std::printf("  per token           %s: attention %s, engines %s, memory %s, waiting %s (attention %s)\n",
                ns_text(l["mean"].get<double>()).c_str(), ns_text(l["attention"].get<double>()).c_str(),
                ns_text(l["digital_compute"].get<double>()).c_str(), ns_text(l["memory_traffic"].get<double>()).c_str(),
                ns_text(l["waiting"].get<double>()).c_str(), percent_text(l["attention_share"].get<double>()).c_str());
    std::printf("                      %s: attention %s, engines %s, memory %s (attention %s)\n",
                pj_text(e["total"].get<double>()).c_str(), pj_text(e["attention"].get<double>()).c_str(),
                pj_text(e["digital_compute"].get<double>()).c_str(), pj_text(e["memory_traffic"].get<double>()).c_str(),
                percent_text(e["attention_share"].get<double>()).c_str());
}

}  // namespace

void print_whole_model(const whole_model_report& r)
{
    using platform::ns_text;
    using platform::pj_text;
    const json& l = r.per_token["latency_ns"];
    const json& e = r.per_token["energy_pj"];
    if (r.area["engine_count"].get<std::size_t>() == 0)  // model.digital = off
        std::printf("  per token           %s, %s: the attention alone (model.digital = off: the digital parts are free)\n",
                    ns_text(l["mean"].get<double>()).c_str(), pj_text(e["total"].get<double>()).c_str());
    else
        print_split(l, e);
    std::printf("  area                %.4g mm^2: attention %.4g (%.0f heads), engines %.4g (%zu)\n",
                r.area["total"].get<double>(), r.area["attention"].get<double>(), r.area["attention_heads"].get<double>(),
                r.area["engines"].get<double>(), r.area["engine_count"].get<std::size_t>());
    const json& p = r.token_period;
    const std::string derived = p["derived_ns"].is_null() ? "-" : ns_text(p["derived_ns"].get<double>());
    std::printf("  token period        %s: configured %s, derived %s; throughput %.4g tokens/s\n",
                p["timing"].get<std::string>().c_str(), ns_text(p["configured_ns"].get<double>()).c_str(),
                derived.c_str(), r.throughput_tokens_per_s);
    const json& k = r.retention;
    const double age = k["oldest_key_age_ns"].get<double>(), tau = k["tau_ns"].get<double>();
    const std::string holds =
        k["holds_design_point"].get<bool>()
            ? "holds"
            : "needs cell.leakage.tau_ns >= " + ns_key_text(k["to_hold"]["cell.leakage.tau_ns"].get<double>()) +
                  " or refresh.age_ns <= " + ns_key_text(k["to_hold"]["refresh.age_ns"].get<double>());
    std::printf("  oldest key          %s old (window %zu), decay %s; design point %.3g: %s\n", ns_text(age).c_str(),
                k["window"].get<std::size_t>(),
                decay_text(k["oldest_key_decay"].get<double>(), tau > 0 ? age / tau : 0).c_str(),
                k["design_point"]["oldest_key_decay"].get<double>(), holds.c_str());
}

void write_timeline(std::ostream& out, const model_hardware& hw)
{
    out << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
    out << json{{"ph", "M"}, {"pid", 0}, {"name", "process_name"}, {"args", {{"name", "gpt_model"}}}}.dump();
    auto track = [&](std::size_t tid, const std::string& name) {
        out << ",\n" << json{{"ph", "M"}, {"pid", 0}, {"tid", tid}, {"name", "thread_name"},
                             {"args", {{"name", name}}}}.dump();
        out << ",\n" << json{{"ph", "M"}, {"pid", 0}, {"tid", tid}, {"name", "thread_sort_index"},
                             {"args", {{"sort_index", tid}}}}.dump();
    };
    auto slice = [&](std::size_t tid, const decoder_layer::span& s) {
        out << ",\n"
            << json{{"ph", "X"}, {"pid", 0}, {"tid", tid}, {"name", s.what}, {"ts", ns(s.start) / 1e3},
                    {"dur", ns(s.end - s.start) / 1e3}, {"args", {{"group", s.group}, {"token", s.token}}}}.dump();
    };
    for (std::size_t l = 0; l < hw.layers.size(); ++l)
        track(l, "layer " + std::to_string(l));
    track(hw.layers.size(), "embedding and head");
    for (std::size_t l = 0; l < hw.layers.size(); ++l)
        for (const auto& s : hw.layers[l]->spans())
            slice(l, s);
    for (const auto& s : hw.head_spans())
        slice(hw.layers.size(), s);
    out << "\n]}\n";
}

}  // namespace gcasim::model
