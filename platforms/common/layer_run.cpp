#include "layer_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <systemc>

#include "attention_layer.h"
#include "config/head_config.h"
#include "config/head_timing.h"
#include "config/rules.h"
#include "config/run_config.h"
#include "cost_report.h"
#include "device/circuit_energy.h"
#include "device/reference_attention.h"
#include "io.h"
#include "progress.h"
#include "run_support.h"
#include "trace/timeline_tracer.h"
#include "trace/vcd_tracer.h"
#include "util/atomic_file.h"
#include "util/simulation.h"

namespace gcasim::platform {

using nlohmann::json;
using namespace sc_core;

namespace {

/// Error of every head output against the ideal attention (device/reference_attention.h).
class reference_meter : public token_observer {
public:
    reference_meter(const config::head_config& c, const std::vector<token_stream>& inputs)
        : inputs_(inputs), head_(), expected_(c.head_dim), charges_()
    {
        head_.shape = c.cell.nonlinearity;
        head_.polarity = c.cell.polarity;
        head_.s_sat = c.pulse.s_sat;
        head_.scale = c.readout.scale;
        head_.charge_sharing = c.readout.combine == config::combine_mode::charge_sharing;
        head_.window = c.window;
        head_.array_tokens = c.array.tokens;
        head_.sub_tiles = c.sub_tiles();
        head_.dim = c.head_dim;
    }

    void on_token(const token_result& r) override
    {
        const token_stream& in = inputs_[r.head];
        device::reference_output(head_, in.q.data(), in.k.data(), in.v.data(), r.token, expected_.data(), charges_);
        for (std::size_t e = 0; e < expected_.size(); ++e) {
            const double error = r.output[e] - expected_[e];
            squares_ += error * error;
            max_ = std::max(max_, std::fabs(error));
            ++count_;
        }
    }

    json report() const
    {
        return {{"rms", count_ ? std::sqrt(squares_ / static_cast<double>(count_)) : 0.0}, {"max", max_},
                {"values", count_}};
    }

private:
    const std::vector<token_stream>& inputs_;
    device::reference_head head_;
    std::vector<double> expected_, charges_;
    double squares_ = 0, max_ = 0;
    std::size_t count_ = 0;
};

}  // namespace

void latency_meter::on_token(const token_result& r)
{
    if (r.token >= end_.size()) {
        end_.resize(r.token + 1, SC_ZERO_TIME);
        start_.resize(r.token + 1, r.start);
    }
    end_[r.token] = std::max(end_[r.token], r.end);
}

json latency_report(const std::vector<sc_time>& latencies)
{
    // In ns from the integer time values (to_seconds() * 1e9 would make 61 ns 61.000000000000014).
    const double units_per_ns = static_cast<double>(sc_time(1, SC_NS).value());
    double sum = 0, lo = 0, hi = 0;
    for (std::size_t t = 0; t < latencies.size(); ++t) {
        const double ns = static_cast<double>(latencies[t].value()) / units_per_ns;
        sum += ns;
        lo = t ? std::min(lo, ns) : ns;
        hi = t ? std::max(hi, ns) : ns;
    }
    return {{"mean", latencies.empty() ? 0.0 : sum / static_cast<double>(latencies.size())}, {"min", lo}, {"max", hi}};
}

json latency_meter::report() const
{
    std::vector<sc_time> latencies(end_.size());
    for (std::size_t t = 0; t < end_.size(); ++t)
        latencies[t] = end_[t] - start_[t];
    return latency_report(latencies);
}

json latency_cycles_report(const device::phase_cycles& cycles)
{
    return {{"write", cycles.write},
            {"qk", cycles.qk},
            {"pv", cycles.pv},
            {"readout", cycles.readout.total()},
            {"digital", cycles.digital.total()},
            {"total", cycles.total()}};
}

std::string phase_cycles_text(const device::phase_cycles& cycles)
{
    return std::to_string(cycles.write) + " write + " + std::to_string(cycles.qk) + " qk + " +
           std::to_string(cycles.pv) + " pv + " + std::to_string(cycles.readout.total()) + " readout + " +
           std::to_string(cycles.digital.total()) + " digital";
}

late_starts late_starts_of(const std::vector<sc_time>& starts, const sc_time& period)
{
    late_starts late;
    for (std::size_t t = 0; t < starts.size(); ++t) {
        const sc_time slot = static_cast<double>(t) * period;  // as the token sources schedule it
        if (starts[t] > slot) {
            ++late.tokens;
            late.worst = std::max(late.worst, starts[t] - slot);
        }
    }
    return late;
}

double latency_meter::throughput(double token_period_ns) const
{
    if (start_.size() < 2)
        return 1e9 / token_period_ns;
    return static_cast<double>(start_.size() - 1) / (start_.back() - start_.front()).to_seconds();
}

void write_attojoules(std::ostream& out, energy_ledger::attojoules aj)
{
    // printf has no 128-bit integers: the whole picojoules digit by digit, then six decimals.
    char digits[48];
    char* first = digits + sizeof digits;
    *--first = '\0';
    energy_ledger::attojoules pj = aj / 1000000;
    do {
        *--first = static_cast<char>('0' + static_cast<int>(pj % 10));
        pj /= 10;
    } while (pj > 0);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06u", static_cast<unsigned>(aj % 1000000));
    out << first << fraction;
}

energy_csv::energy_csv(atomic_file& file, bool layer_column) : file_(file), layer_column_(layer_column), components_()
{
}

void energy_csv::write_header(const std::vector<energy_ledger::column>& columns)
{
    std::ostream& out = file_.stream();
    out << (layer_column_ ? "token,layer" : "token");
    for (const energy_ledger::column& c : columns) {
        out << "," << c.component << "_pj";
        components_.push_back(c.component);
    }
    out << ",total_pj\n";
}

void energy_csv::attach(energy_ledger& ledger, std::size_t layer)
{
    if (components_.empty()) {
        write_header(ledger.columns());
    } else {
        std::vector<std::string> components;
        for (const energy_ledger::column& c : ledger.columns())
            components.push_back(c.component);
        if (components != components_)
            throw std::logic_error("energy.csv: layer " + std::to_string(layer) +
                                   "'s ledger has other columns than the header's");
    }
    ledger.set_row_sink([this, layer](const energy_ledger::row& row) {
        std::ostream& out = file_.stream();
        out << row.token;
        if (layer_column_)
            out << "," << layer;
        for (const energy_ledger::attojoules aj : row.energy) {
            out << ",";
            write_attojoules(out, aj);
        }
        out << ",";
        write_attojoules(out, row.total);
        out << "\n";
    });
}

namespace {

/// The paper's breakdown, in the order the summaries print it.
constexpr const char* published_parts[] = {"qk", "pv", "digital", "dac", "refresh"};

}  // namespace

std::optional<energy_figures> mean_energy(const std::vector<energy_ledger::column>& columns,
                                          const energy_ledger::amounts& sum, std::size_t rows)
{
    if (rows == 0)
        return std::nullopt;
    energy_figures figures;
    for (const char* part : published_parts)
        figures.parts[part] = 0.0;
    energy_ledger::attojoules total = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const double pj = energy_ledger::to_pj(sum[c]) / static_cast<double>(rows);
        figures.components.emplace_back(columns[c].component, pj);
        figures.parts[columns[c].part] += pj;
        energy_ledger::add(total, sum[c]);
    }
    figures.total = energy_ledger::to_pj(total) / static_cast<double>(rows);
    return figures;
}

json energy_figures::to_json() const
{
    json j;
    for (const auto& [component, pj] : components)
        j[component] = pj;
    j["total"] = total;
    j["parts"] = parts;
    return j;
}

json energy_json(const std::optional<energy_figures>& figures)
{
    return figures ? figures->to_json() : json(nullptr);
}

json energy_report(const std::vector<energy_ledger::column>& columns, const energy_ledger::amounts& sum,
                   std::size_t rows)
{
    return energy_json(mean_energy(columns, sum, rows));
}

energy_figures worst_case_energy(const config::head_config& head, std::size_t heads)
{
    energy_figures figures;
    for (const auto& [part, pj] : device::worst_case_head_pj(head))
        (part == "total" ? figures.total : figures.parts[part]) = pj * static_cast<double>(heads);
    return figures;
}

void print_energy_parts(const energy_figures& energy, const energy_figures* worst_case)
{
    for (const char* part : published_parts) {
        std::printf("    %-8s %10.1f pJ  %5.1f %%", part, energy.parts.at(part), 100.0 * energy.parts.at(part) / energy.total);
        if (worst_case)
            std::printf("   worst case %10.1f pJ", worst_case->parts.at(part));
        std::printf("\n");
    }
}

void finish_run(output_set& outputs, const layer_result& result, const std::string& out_dir)
{
    outputs.add("summary.json").stream() << result.summary.dump(2) << "\n";
    outputs.commit();
    print_summary(result.figures, outputs, out_dir);
}

std::vector<std::string> run_output_names()
{
    return {"summary.json", "output.json", "energy.csv", "trace.vcd", "timeline.json"};
}

layer_result simulate_layer(const layer_run& run)
{
    const json& config = *run.config;
    const cli_options& options = *run.options;
    const config::head_config head = config::parse_head_config(config);
    const config::trace_config trace = config::parse_trace_config(config);
    const std::size_t heads = run.inputs->size();
    config::check_trace_rules(trace, heads, head);
    const std::size_t tokens = run.inputs->front().tokens;
    config::check_run_length(head, tokens);
    prepare_output_dir(options.out_dir);

    const std::size_t threads = config::parse_sim_threads(config);
    attention_layer layer("layer", head, *run.inputs, threads);
    latency_meter latency;
    layer.add_observer(&latency);
    if (run.recorder)
        layer.add_observer(run.recorder);
    std::unique_ptr<reference_meter> reference;
    if (config::at_path(config, "output.reference_error").get<bool>()) {
        reference = std::make_unique<reference_meter>(head, *run.inputs);
        layer.add_observer(reference.get());
    }

    energy_csv csv(run.outputs->add("energy.csv"), false);
    csv.attach(layer.ledger);

    std::unique_ptr<vcd_tracer> vcd;
    std::unique_ptr<timeline_tracer> timeline;
    if (trace.vcd) {
        vcd = std::make_unique<vcd_tracer>(run.outputs->add("trace.vcd"), heads, trace.head, trace.tile,
                                           head.head_dim, head.array.tokens, config::head_phase_cycles(head),
                                           sc_time(head.timing.clock_period_ns, SC_NS));
        layer.add_monitor(vcd.get(), trace.head, {trace.tile});
    }
    if (trace.timeline) {
        timeline = std::make_unique<timeline_tracer>(run.outputs->add("timeline.json"), heads, trace.head,
                                                     head.sub_tiles(), config::head_phase_cycles(head));
        std::vector<std::size_t> all_tiles(static_cast<std::size_t>(head.sub_tiles()));
        for (std::size_t n = 0; n < all_tiles.size(); ++n)
            all_tiles[n] = n;
        layer.add_monitor(timeline.get(), trace.head, all_tiles);
    }

    // A token closes when every head has finished it: a step of the progress line, and where
    // Ctrl-C stops, so that all outputs end on a whole token.
    progress bar(run.platform, tokens, "tokens", progress_wanted(options));
    layer.add_token_closed_listener([&bar](std::size_t) {
        bar.advance();
        if (stop_requested())
            sc_stop();
    });

    const auto wall_start = std::chrono::steady_clock::now();
    run_simulation();
    bar.finish();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const std::size_t finished = layer.ledger.rows();
    const bool interrupted = stop_requested() && finished < tokens;
    if (!interrupted && finished != tokens)
        throw runtime_failure("simulation ended after " + std::to_string(finished) + " of " + std::to_string(tokens) +
                              " tokens");

    json files = {{"energy_csv", run.outputs->path("energy.csv")}};
    if (vcd) {
        vcd->finish();
        files["trace_vcd"] = run.outputs->path("trace.vcd");
    }
    if (timeline) {
        timeline->finish();
        files["timeline"] = run.outputs->path("timeline.json");
    }

    run_figures figures;
    figures.platform = run.platform;
    figures.heads = heads;
    figures.tokens = finished;
    figures.window = head.window;
    figures.sub_tiles_per_head = head.sub_tiles();
    figures.clock_period_ns = head.timing.clock_period_ns;
    figures.token_period_ns = head.timing.token_period_ns;
    const json latency_ns = latency.report();
    figures.latency_ns = latency_ns["mean"].get<double>();
    figures.cycles = config::head_phase_cycles(head);
    figures.mean_energy = mean_energy(layer.ledger.columns(), layer.ledger.sum_all(), layer.ledger.rows());
    figures.full_window_tokens = layer.ledger.full_window_rows();
    figures.full_window_energy =
        mean_energy(layer.ledger.columns(), layer.ledger.sum_full_window(), figures.full_window_tokens);
    figures.worst_case_energy = worst_case_energy(head, heads);
    figures.timing = timing_now(finished, wall_s);
    figures.late = latency.lateness(sc_time(head.timing.token_period_ns, SC_NS));
    figures.area = device::area_of_head(head);

    json summary = run_summary(run.platform, options, config, finished, wall_s);
    summary["interrupted"] = interrupted;
    summary["heads"] = heads;
    summary["threads"] = threads;
    summary["sub_tiles_per_head"] = head.sub_tiles();
    summary["token_period_ns"] = head.timing.token_period_ns;
    summary["clock_period_ns"] = head.timing.clock_period_ns;
    summary["latency_per_token_ns"] = latency_ns["mean"];
    summary["latency_per_token_cycles"] = figures.cycles.total();
    summary["latency_cycles"] = latency_cycles_report(figures.cycles);
    summary["latency_ns"] = latency_ns;
    summary["throughput_tokens_per_s"] = latency.throughput(head.timing.token_period_ns);
    summary["energy_per_token_pj"] = {{"mean", energy_json(figures.mean_energy)},
                                      {"full_window", energy_json(figures.full_window_energy)},
                                      {"full_window_tokens", figures.full_window_tokens},
                                      {"worst_case", figures.worst_case_energy.to_json()}};
    std::size_t late = 0;
    for (const auto& h : layer.heads)
        late = std::max(late, h->controller.late_tokens());
    summary["tokens_started_late"] = late;
    summary["area_mm2"] = area_report(figures.area, heads);
    summary["provenance"] = provenance_report(run.platform);
    if (reference)
        summary["output_error"] = reference->report();
    summary["files"] = files;
    return {summary, figures};
}

void print_late_starts(const late_starts& late, std::size_t tokens, double token_period_ns)
{
    if (late.tokens > 0)
        std::printf("  late tokens         %zu of %zu started after their slot (t x %s ns), the latest by %.1f ns\n",
                    late.tokens, tokens, config::format_number(token_period_ns).c_str(),
                    late.worst.to_seconds() * 1e9);
}

void print_summary(const run_figures& f, const output_set& outputs, const std::string& out_dir)
{
    std::printf("%s: %zu head(s) x %zu tokens, window %d, %d sub-tile(s) per head\n", f.platform.c_str(), f.heads,
                f.tokens, f.window, f.sub_tiles_per_head);
    std::printf("  latency per token   %.1f ns (%llu cycles of %.3g ns: %s), token period %.1f ns\n",
                f.latency_ns, static_cast<unsigned long long>(f.cycles.total()), f.clock_period_ns,
                phase_cycles_text(f.cycles).c_str(), f.token_period_ns);
    print_late_starts(f.late, f.tokens, f.token_period_ns);
    const bool full = f.full_window_energy.has_value();
    if (const std::optional<energy_figures>& e = full ? f.full_window_energy : f.mean_energy) {
        const std::string basis =
            full ? "full window, " + std::to_string(f.full_window_tokens) + " tokens" : "mean, window not full";
        std::printf("  energy per token    %.1f pJ (%s), %.1f pJ per head; worst case %.1f pJ\n", e->total,
                    basis.c_str(), e->total / static_cast<double>(f.heads), f.worst_case_energy.total);
        print_energy_parts(*e, &f.worst_case_energy);
    } else {
        std::printf("  energy per token    none: no token finished\n");
    }
    print_area(f.area, f.heads, "per layer (" + std::to_string(f.heads) + " heads)");
    print_timing(f.timing);
    print_outputs(outputs, out_dir);
}

}  // namespace gcasim::platform
