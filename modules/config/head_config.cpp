#include "config/head_config.h"

#include "config/rules.h"

namespace gcasim::config {

using nlohmann::json;

namespace {

param_table<head_config> declare_head_params()
{
    using t = param_table<head_config>;
    using device::leakage_form;
    using device::nonlinearity;
    return t("", {
        t::integer(GCASIM_KEY(window), 1024, 1, 65536, "tokens",
                   "Sliding attention window M: query t sees keys t-M < s <= t"),
        t::integer(GCASIM_KEY(head_dim), 64, 1, 4096, "",
                   "Head dimension d: rows of each K array, columns of each V array"),
        t::integer(GCASIM_KEY(array.tokens), 64, 1, 4096, "tokens",
                   "Tokens per sub-tile: columns of a K array, rows of a V array (64 in the paper)"),
        t::choice(GCASIM_KEY(cell.nonlinearity), nonlinearity::polynomial,
                  {{"polynomial", nonlinearity::polynomial}, {"linear", nonlinearity::linear}},
                  "Cell read response: the published cubic fit, or 19.3*y"),
        t::integer(GCASIM_KEY(cell.polarity), 1, -1, 1, "", "Read current direction, +1 or -1"),
        t::choice(GCASIM_KEY(cell.leakage.model), leakage_form::voltage,
                  {{"none", leakage_form::none}, {"voltage", leakage_form::voltage}, {"current", leakage_form::current}},
                  "Leakage form: voltage = P(delta*y) (the paper's final model), current = delta*P(y)"),
        t::number(GCASIM_KEY(cell.leakage.tau_ns), 5e6, 0, 1e15, "ns",
                  "Retention time constant tau, delta = exp(-age/tau); 5 ms for silicon gain cells", true),
        t::number(GCASIM_KEY(cell.v_max), 0.9, 0, 10, "V", "Top of the K/V write range (the bottom is 0 V)", true),
        t::number(GCASIM_KEY(timing.token_period_ns), 800, 0, 1e9, "ns",
                  "Time between successive tokens at this head (generation step)", true),
        t::number(GCASIM_KEY(timing.write_ns), 10, 0, 1e6, "ns", "Phase 1: write the new K,V through the DACs"),
        t::number(GCASIM_KEY(timing.qk_ns), 15, 0, 1e6, "ns", "Phase 2: query pulses read the K arrays (Q.K^T)"),
        t::number(GCASIM_KEY(timing.pv_ns), 15, 0, 1e6, "ns", "Phase 3: charge-to-pulse drives the V arrays (phi.V)"),
        t::number(GCASIM_KEY(timing.readout_ns), 15, 0, 1e6, "ns", "Phase 4: signed charge-to-pulse + counter readout"),
        t::number(GCASIM_KEY(timing.digital_ns), 10, 0, 1e6, "ns", "Phase 5: digital adders, scaling, routing"),
        t::number(GCASIM_KEY(timing.clock_period_ns), 1, 0, 1e6, "ns", "Period of the digital control clock", true),
        t::boolean(GCASIM_KEY(quant.enabled), true, "false turns all three quantizers off (clamping stays)"),
        t::integer(GCASIM_KEY(quant.q_levels), 16, 2, 1 << 20, "levels", "Query pulse-width levels on [0,1]"),
        t::integer(GCASIM_KEY(quant.kv_levels), 8, 2, 1 << 20, "levels", "DAC levels of stored K,V on [0,v_max]"),
        t::integer(GCASIM_KEY(quant.out_levels), 32, 3, 1 << 20, "levels",
                   "Readout counter levels on [-1,1], step 2/(levels-1) from 0 (at least 3: with 2 the step "
                   "is 2 and every output rounds to 0)"),
        t::choice(GCASIM_KEY(quant.out_clip), output_clip::authors,
                  {{"authors", output_clip::authors}, {"counter", output_clip::counter}},
                  "Readout at +-1: authors = round like the authors' code (+-32/31), counter = saturate at "
                  "+-(levels-1)/2 steps"),
        t::number(GCASIM_KEY(pulse.s_sat), 80, 0, 1e12, "MAC units", "Charge-to-pulse saturation S_sat (HardSigmoid)",
                  true),
        t::number(GCASIM_KEY(pulse.t_max_ns), 15, 0, 1e6, "ns", "Longest input/charge-to-pulse pulse T_max", true),
        t::choice(GCASIM_KEY(readout.combine), combine_mode::digital_adders,
                  {{"digital_adders", combine_mode::digital_adders}, {"charge_sharing", combine_mode::charge_sharing}},
                  "Combine the sub-tiles: digital adders (the paper) or analog charge sharing"),
        t::integer(GCASIM_KEY(noise.seed), 1, 0, 9007199254740992.0, "", "Base seed of all non-ideality samples"),
        t::number(GCASIM_KEY(noise.cell_variation), 0, 0, 1, "",
                  "Cell-to-cell variation: relative sigma of each cell's read gain (static, per array)"),
        t::number(GCASIM_KEY(noise.read_sigma), 0, 0, 1e6, "MAC units",
                  "Read noise: Gaussian sigma added to every integrated line charge of a MAC"),
        t::number(GCASIM_KEY(noise.tau_spread), 0, 0, 10, "", "Retention spread: sigma of ln(tau) across cells (static)"),
        t::number(GCASIM_KEY(noise.dac_sigma), 0, 0, 1, "V", "DAC write error: Gaussian sigma added to each written value"),
        t::number(GCASIM_KEY(noise.c2p_offset_sigma), 0, 0, 1e6, "MAC units",
                  "Offset of each charge-to-pulse converter, added to S (static)"),
        t::number(GCASIM_KEY(noise.counter_offset_sigma), 0, 0, 10, "full scale",
                  "Offset of each readout converter, as a fraction of full scale (static)"),
        t::boolean(GCASIM_KEY(refresh.enabled), false,
                   "Re-write (sense and restore) stored values older than refresh.age_ns"),
        t::number(GCASIM_KEY(refresh.age_ns), 1e6, 0, 1e15, "ns", "Age at which the controller refreshes a stored token",
                  true),
        t::number(GCASIM_KEY(readout.scale), 40, 0, 1e12, "MAC units", "Readout full scale (S_sat/2 in the paper)", true),
    });
}

}  // namespace

const param_table<head_config>& head_params()
{
    static const param_table<head_config> table = declare_head_params();
    return table;
}

void add_head_params(param_schema& schema)
{
    head_params().add_to(schema);
}

head_config default_head_config()
{
    return head_params().defaults();
}

head_config parse_head_config(const json& config)
{
    const head_config h = head_params().parse(config);
    check_head_rules(h);
    return h;
}

std::string to_string(combine_mode mode)
{
    return mode == combine_mode::charge_sharing ? "charge_sharing" : "digital_adders";
}

}  // namespace gcasim::config
