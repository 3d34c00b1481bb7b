#include "config/head_config.h"

#include <cmath>

namespace gcasim::config {

using nlohmann::json;

namespace {

template <typename T> T get(const json& config, const std::string& path)
{
    return at_path(config, path).get<T>();
}

std::string ns(double x)
{
    return format_number(x) + " ns";
}

}  // namespace

void add_head_params(param_schema& s)
{
    s.add(integer_param("window", 1024, 1, 65536, "tokens",
                  "Sliding attention window M: query t sees keys t-M < s <= t"));
    s.add(integer_param("head_dim", 64, 1, 4096, "", "Head dimension d: rows of each K array, columns of each V array"));
    s.add(integer_param("array.tokens", 64, 1, 4096, "tokens",
                  "Tokens per sub-tile: columns of a K array, rows of a V array (64 in the paper)"));
    s.add(choice_param("cell.nonlinearity", "polynomial", {"polynomial", "linear"},
                 "Cell read response: the published cubic fit, or 19.3*y"));
    s.add(integer_param("cell.polarity", 1, -1, 1, "", "Read current direction, +1 or -1"));
    s.add(choice_param("cell.leakage.model", "voltage", {"none", "voltage", "current"},
                 "Leakage form: voltage = P(delta*y) (the paper's final model), current = delta*P(y)"));
    s.add(number_param("cell.leakage.tau_ns", 5e6, 0, 1e15, "ns",
                 "Retention time constant tau, delta = exp(-age/tau); 5 ms for silicon gain cells", true));
    s.add(number_param("cell.v_max", 0.9, 0, 10, "V", "Top of the K/V write range (the bottom is 0 V)", true));
    s.add(number_param("timing.token_period_ns", 800, 0, 1e9, "ns",
                  "Time between successive tokens at this head (generation step)", true));
    s.add(number_param("timing.write_ns", 10, 0, 1e6, "ns", "Phase 1: write the new K,V through the DACs"));
    s.add(number_param("timing.qk_ns", 15, 0, 1e6, "ns", "Phase 2: query pulses read the K arrays (Q.K^T)"));
    s.add(number_param("timing.pv_ns", 15, 0, 1e6, "ns", "Phase 3: charge-to-pulse drives the V arrays (phi.V)"));
    s.add(number_param("timing.readout_ns", 15, 0, 1e6, "ns", "Phase 4: signed charge-to-pulse + counter readout"));
    s.add(number_param("timing.digital_ns", 10, 0, 1e6, "ns", "Phase 5: digital adders, scaling, routing"));
    s.add(number_param("timing.clock_period_ns", 1, 0, 1e6, "ns", "Period of the digital control clock", true));
    s.add(bool_param("quant.enabled", true, "false turns all three quantizers off (clamping stays)"));
    s.add(integer_param("quant.q_levels", 16, 2, 1 << 20, "levels", "Query pulse-width levels on [0,1]"));
    s.add(integer_param("quant.kv_levels", 8, 2, 1 << 20, "levels", "DAC levels of stored K,V on [0,v_max]"));
    s.add(integer_param("quant.out_levels", 32, 3, 1 << 20, "levels",
                        "Readout counter levels on [-1,1], step 2/(levels-1) from 0 (at least 3: with 2 the step "
                        "is 2 and every output rounds to 0)"));
    s.add(choice_param("quant.out_clip", "authors", {"authors", "counter"},
                 "Readout at +-1: authors = round like the authors' code (+-32/31), counter = saturate at "
                 "+-(levels-1)/2 steps"));
    s.add(number_param("pulse.s_sat", 80, 0, 1e12, "MAC units", "Charge-to-pulse saturation S_sat (HardSigmoid)", true));
    s.add(number_param("pulse.t_max_ns", 15, 0, 1e6, "ns", "Longest input/charge-to-pulse pulse T_max", true));
    s.add(choice_param("readout.combine", "digital_adders", {"digital_adders", "charge_sharing"},
                 "Combine the sub-tiles: digital adders (the paper) or analog charge sharing"));
    s.add(integer_param("noise.seed", 1, 0, 9007199254740992.0, "", "Base seed of all non-ideality samples"));
    s.add(number_param("noise.cell_variation", 0, 0, 1, "",
                       "Cell-to-cell variation: relative sigma of each cell's read gain (static, per array)"));
    s.add(number_param("noise.read_sigma", 0, 0, 1e6, "MAC units",
                       "Read noise: Gaussian sigma added to every integrated line charge of a MAC"));
    s.add(number_param("noise.tau_spread", 0, 0, 10, "", "Retention spread: sigma of ln(tau) across cells (static)"));
    s.add(number_param("noise.dac_sigma", 0, 0, 1, "V", "DAC write error: Gaussian sigma added to each written value"));
    s.add(number_param("noise.c2p_offset_sigma", 0, 0, 1e6, "MAC units",
                       "Offset of each charge-to-pulse converter, added to S (static)"));
    s.add(number_param("noise.counter_offset_sigma", 0, 0, 10, "full scale",
                       "Offset of each readout converter, as a fraction of full scale (static)"));
    s.add(bool_param("refresh.enabled", false, "Re-write (sense and restore) stored values older than refresh.age_ns"));
    s.add(number_param("refresh.age_ns", 1e6, 0, 1e15, "ns", "Age at which the controller refreshes a stored token", true));
    s.add(number_param("readout.scale", 40, 0, 1e12, "MAC units", "Readout full scale (S_sat/2 in the paper)", true));
}

head_config parse_head_config(const json& c)
{
    head_config h;
    h.window = get<int>(c, "window");
    h.head_dim = get<int>(c, "head_dim");
    h.tile_tokens = get<int>(c, "array.tokens");
    h.cell.shape = get<std::string>(c, "cell.nonlinearity") == "linear" ? device::nonlinearity::linear
                                                                       : device::nonlinearity::polynomial;
    h.cell.polarity = get<int>(c, "cell.polarity");
    const std::string leak = get<std::string>(c, "cell.leakage.model");
    h.cell.leakage = leak == "none"      ? device::leakage_form::none
                     : leak == "current" ? device::leakage_form::current
                                         : device::leakage_form::voltage;
    h.cell.tau_ns = get<double>(c, "cell.leakage.tau_ns");
    h.cell.v_max = get<double>(c, "cell.v_max");
    h.timing.token_period_ns = get<double>(c, "timing.token_period_ns");
    h.timing.write_ns = get<double>(c, "timing.write_ns");
    h.timing.qk_ns = get<double>(c, "timing.qk_ns");
    h.timing.pv_ns = get<double>(c, "timing.pv_ns");
    h.timing.readout_ns = get<double>(c, "timing.readout_ns");
    h.timing.digital_ns = get<double>(c, "timing.digital_ns");
    h.timing.clock_period_ns = get<double>(c, "timing.clock_period_ns");
    h.quant.enabled = get<bool>(c, "quant.enabled");
    h.quant.q_levels = get<int>(c, "quant.q_levels");
    h.quant.kv_levels = get<int>(c, "quant.kv_levels");
    h.quant.out_levels = get<int>(c, "quant.out_levels");
    h.quant.out_clip = get<std::string>(c, "quant.out_clip") == "counter" ? output_clip::counter
                                                                           : output_clip::authors;
    h.s_sat = get<double>(c, "pulse.s_sat");
    h.t_max_ns = get<double>(c, "pulse.t_max_ns");
    h.combine = get<std::string>(c, "readout.combine") == "charge_sharing" ? combine_mode::charge_sharing
                                                                            : combine_mode::digital_adders;
    h.readout_scale = get<double>(c, "readout.scale");
    h.noise.seed = get<std::uint64_t>(c, "noise.seed");
    h.noise.cell_variation = get<double>(c, "noise.cell_variation");
    h.noise.read_sigma = get<double>(c, "noise.read_sigma");
    h.noise.tau_spread = get<double>(c, "noise.tau_spread");
    h.noise.dac_sigma = get<double>(c, "noise.dac_sigma");
    h.noise.c2p_offset_sigma = get<double>(c, "noise.c2p_offset_sigma");
    h.noise.counter_offset_sigma = get<double>(c, "noise.counter_offset_sigma");
    h.refresh.enabled = get<bool>(c, "refresh.enabled");
    h.refresh.age_ns = get<double>(c, "refresh.age_ns");

    // Rules that span keys.
    if (h.cell.polarity == 0)
        throw config_error("config key 'cell.polarity': value 0 is not allowed; allowed: 1 or -1");
    if (h.timing.qk_ns < h.t_max_ns || h.timing.pv_ns < h.t_max_ns)
        throw config_error("config keys 'timing.qk_ns' (" + ns(h.timing.qk_ns) + ") and 'timing.pv_ns' (" +
                           ns(h.timing.pv_ns) + ") must each be >= 'pulse.t_max_ns' (" + ns(h.t_max_ns) +
                           "): the read phases carry pulses up to T_max");
    if (h.timing.phases_ns() > h.timing.token_period_ns)
        throw config_error("config key 'timing.token_period_ns': value " + ns(h.timing.token_period_ns) +
                           " is shorter than the phases of one token (" + ns(h.timing.phases_ns()) +
                           "); allowed: >= the sum of timing.write_ns .. timing.digital_ns");
    return h;
}

std::string to_string(combine_mode mode)
{
    return mode == combine_mode::charge_sharing ? "charge_sharing" : "digital_adders";
}

}  // namespace gcasim::config
