#include "config/run_config.h"

#include <thread>

namespace gcasim::config {

using nlohmann::json;

const param_table<trace_config>& trace_params()
{
    using t = param_table<trace_config>;
    static const t table("trace", {
        t::boolean(GCASIM_KEY(vcd), false, "Write trace.vcd (GTKWave): token, phase, write slot, busy flags, pulses"),
        t::boolean(GCASIM_KEY(timeline), false, "Write timeline.json (Chrome trace events, opens in Perfetto)"),
        t::integer(GCASIM_KEY(head), 0, 0, 4095, "", "Head whose query and phi pulses go into the VCD"),
        t::integer(GCASIM_KEY(tile), 0, 0, 65535, "", "Sub-tile of that head whose pulses go into the VCD"),
    });
    return table;
}

param_table<input_config> input_params(input_distribution distribution)
{
    using t = param_table<input_config>;
    return t("input", {
        t::choice(GCASIM_KEY(distribution), distribution,
                  {{"uniform", input_distribution::uniform}, {"gaussian", input_distribution::gaussian}},
                  "Synthetic inputs (no --input): uniform over the ranges, or clipped Gaussians"),
        t::number(GCASIM_KEY(q_mean), 0.5, 0, 1, "", "Mean query pulse width (fraction of T_max), gaussian only"),
        t::number(GCASIM_KEY(q_sigma), 0.25, 0, 10, "", "Spread of the query, gaussian only"),
        t::number(GCASIM_KEY(kv_mean), 0.45, 0, 10, "V", "Mean stored K/V voltage, gaussian only"),
        t::number(GCASIM_KEY(kv_sigma), 0.2, 0, 10, "V", "Spread of the stored K/V voltages, gaussian only"),
    });
}

const param_table<output_config>& output_params()
{
    using t = param_table<output_config>;
    static const t table("output", {
        t::boolean(GCASIM_KEY(reference_error), false,
                   "Report output_error (rms, max) against the ideal attention of the same hardware: no "
                   "leakage, quantization or noise (costs about one more MAC pass)"),
    });
    return table;
}

const param_table<sim_config>& sim_params()
{
    using t = param_table<sim_config>;
    static const t table("sim", {
        t::integer(GCASIM_KEY(threads), 0, 0, 256, "",
                   "Threads for the arrays' MAC arithmetic; 0 = one per core, 1 = all in the simulation "
                   "thread. Results are identical for any value"),
    });
    return table;
}

void add_sim_params(param_schema& schema) { sim_params().add_to(schema); }
void add_reference_params(param_schema& schema) { output_params().add_to(schema); }
void add_trace_params(param_schema& schema) { trace_params().add_to(schema); }
void add_input_params(param_schema& schema, input_distribution distribution)
{
    input_params(distribution).add_to(schema);
}

trace_config parse_trace_config(const json& config) { return trace_params().parse(config); }
input_config parse_input_config(const json& config)
{
    return input_params(input_distribution::uniform).parse(config);  // the default plays no part in parsing
}

std::size_t parse_sim_threads(const json& config)
{
    const std::size_t threads = sim_params().parse(config).threads;
    if (threads > 0)
        return threads;
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 0 ? cores : 1;
}

}  // namespace gcasim::config
