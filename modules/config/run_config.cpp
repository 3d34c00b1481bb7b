#include "config/run_config.h"

#include <thread>

namespace gcasim::config {

using nlohmann::json;

namespace {

double number_at(const json& c, const std::string& path) { return at_path(c, path).get<double>(); }

}  // namespace

void add_energy_params(param_schema& s)
{
    const energy_config d;
    const double max = 1e9;
    s.add(number_param("energy.k_cell_read_pj", d.k_cell_read_pj, 0, max, "pJ",
                       "Energy per K-array cell read (cells on the visible columns, per token)"));
    s.add(number_param("energy.c2p_conversion_pj", d.c2p_conversion_pj, 0, max, "pJ",
                       "Energy per charge-to-pulse conversion (one per visible key)"));
    s.add(number_param("energy.v_cell_read_pj", d.v_cell_read_pj, 0, max, "pJ",
                       "Energy per V-array cell read (cells on the visible rows, per token)"));
    s.add(number_param("energy.readout_conversion_pj", d.readout_conversion_pj, 0, max, "pJ",
                       "Energy per readout conversion (signed charge-to-pulse + counter)"));
    s.add(number_param("energy.dac_write_pj", d.dac_write_pj, 0, max, "pJ", "Energy per cell written through a DAC"));
    s.add(number_param("energy.adder_op_pj", d.adder_op_pj, 0, max, "pJ",
                       "Energy per digital addition combining sub-tiles"));
    s.add(number_param("energy.control_token_pj", d.control_token_pj, 0, max, "pJ",
                       "Digital control and routing energy per token per head"));
}

void add_sim_params(param_schema& s)
{
    s.add(integer_param("sim.threads", 0, 0, 256, "",
                        "Threads for the arrays' MAC arithmetic; 0 = one per core, 1 = all in the simulation "
                        "thread. Results are identical for any value"));
}

std::size_t parse_sim_threads(const json& c)
{
    const std::size_t threads = at_path(c, "sim.threads").get<std::size_t>();
    if (threads > 0)
        return threads;
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 0 ? cores : 1;
}

void add_reference_params(param_schema& s)
{
    s.add(bool_param("output.reference_error", false,
                     "Report output_error (rms, max) against the ideal attention of the same hardware: no "
                     "leakage, quantization or noise (costs about one more MAC pass)"));
}

void add_trace_params(param_schema& s)
{
    s.add(bool_param("trace.vcd", false, "Write trace.vcd (GTKWave): token, phase, write slot, busy flags, pulses"));
    s.add(bool_param("trace.timeline", false, "Write timeline.json (Chrome trace events, opens in Perfetto)"));
    s.add(integer_param("trace.head", 0, 0, 4095, "", "Head whose query and phi pulses go into the VCD"));
    s.add(integer_param("trace.tile", 0, 0, 65535, "", "Sub-tile of that head whose pulses go into the VCD"));
}

void add_input_params(param_schema& s, const std::string& default_distribution)
{
    s.add(choice_param("input.distribution", default_distribution, {"uniform", "gaussian"},
                       "Synthetic inputs (no --input): uniform over the ranges, or clipped Gaussians"));
    s.add(number_param("input.q_mean", 0.5, 0, 1, "", "Mean query pulse width (fraction of T_max), gaussian only"));
    s.add(number_param("input.q_sigma", 0.25, 0, 10, "", "Spread of the query, gaussian only"));
    s.add(number_param("input.kv_mean", 0.45, 0, 10, "V", "Mean stored K/V voltage, gaussian only"));
    s.add(number_param("input.kv_sigma", 0.2, 0, 10, "V", "Spread of the stored K/V voltages, gaussian only"));
}

energy_config parse_energy_config(const json& c)
{
    energy_config e;
    e.k_cell_read_pj = number_at(c, "energy.k_cell_read_pj");
    e.c2p_conversion_pj = number_at(c, "energy.c2p_conversion_pj");
    e.v_cell_read_pj = number_at(c, "energy.v_cell_read_pj");
    e.readout_conversion_pj = number_at(c, "energy.readout_conversion_pj");
    e.dac_write_pj = number_at(c, "energy.dac_write_pj");
    e.adder_op_pj = number_at(c, "energy.adder_op_pj");
    e.control_token_pj = number_at(c, "energy.control_token_pj");
    return e;
}

trace_config parse_trace_config(const json& c)
{
    trace_config t;
    t.vcd = at_path(c, "trace.vcd").get<bool>();
    t.timeline = at_path(c, "trace.timeline").get<bool>();
    t.head = at_path(c, "trace.head").get<std::size_t>();
    t.tile = at_path(c, "trace.tile").get<std::size_t>();
    return t;
}

input_config parse_input_config(const json& c)
{
    input_config i;
    i.gaussian = at_path(c, "input.distribution").get<std::string>() == "gaussian";
    i.q_mean = number_at(c, "input.q_mean");
    i.q_sigma = number_at(c, "input.q_sigma");
    i.kv_mean = number_at(c, "input.kv_mean");
    i.kv_sigma = number_at(c, "input.kv_sigma");
    return i;
}

}  // namespace gcasim::config
