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
                   "Sliding attention window M: query t sees keys t-M < s <= t")
            .from(paper("GPT-2 context and sliding window M = 1024 (hardware.md section 1)")),
        t::integer(GCASIM_KEY(head_dim), 64, 1, 4096, "",
                   "Head dimension d: rows of each K array, columns of each V array")
            .from(paper("GPT-2 head dimension d = 64 (hardware.md section 1)")),
        t::integer(GCASIM_KEY(array.tokens), 64, 1, 4096, "tokens",
                   "Tokens per sub-tile: columns of a K array, rows of a V array (64 in the paper)")
            .from(paper("64 x 64 arrays, one sub-tile per 64 tokens (Fig. 1; hardware.md section 2)")),
        t::choice(GCASIM_KEY(cell.nonlinearity), nonlinearity::polynomial,
                  {{"polynomial", nonlinearity::polynomial}, {"linear", nonlinearity::linear}},
                  "Cell read response: the published cubic fit, or 19.3*y"),
        t::integer(GCASIM_KEY(cell.polarity), 1, -1, 1, "", "Read current direction, +1 or -1")
            .from(paper("the authors' code reads with +1; -1 mirrors the cell (their second reference set)")),
        t::choice(GCASIM_KEY(cell.leakage.model), leakage_form::voltage,
                  {{"none", leakage_form::none}, {"voltage", leakage_form::voltage}, {"current", leakage_form::current}},
                  "Leakage form: voltage = P(delta*y) (the paper's final model), current = delta*P(y)"),
        t::number(GCASIM_KEY(cell.leakage.tau_ns), 5e6, 0, 1e15, "ns",
                  "Retention time constant tau, delta = exp(-age/tau); 5 ms for silicon gain cells", true)
            .from(paper("tau about 5 ms for silicon gain cells (hardware.md section 3)")),
        t::number(GCASIM_KEY(cell.v_max), 0.9, 0, 10, "V", "Top of the K/V write range (the bottom is 0 V)", true)
            .from(paper("K, V stored in 8 levels on [0, 0.9] V (Methods; hardware.md section 3)")),
        t::number(GCASIM_KEY(timing.token_period_ns), 800, 0, 1e9, "ns",
                  "Time between successive tokens at this head (generation step)", true)
            .from(derived("tau * 1.6e-4 = 800 ns: the authors' decay exp(-1.6e-4) per step at tau = 5 ms, about "
                          "12 layers x 65 ns (hardware.md section 3)")),
        t::number(GCASIM_KEY(timing.clock_period_ns), 1, 0, 1e6, "ns", "Period of the digital control clock", true)
            .from(assumed("1 GHz: the published 65 ns are 65 whole cycles; the clock is not published")),
        t::boolean(GCASIM_KEY(quant.enabled), true, "false turns all three quantizers off (clamping stays)"),
        t::integer(GCASIM_KEY(quant.q_levels), 16, 2, 1 << 20, "levels", "Query pulse-width levels on [0,1]")
            .from(paper("Q in 16 levels on [0, 1] (Methods; hardware.md section 3)")),
        t::integer(GCASIM_KEY(quant.kv_levels), 8, 2, 1 << 20, "levels", "DAC levels of stored K,V on [0,v_max]")
            .from(paper("K, V in 8 levels on [0, 0.9] V (Methods; hardware.md section 3)")),
        t::integer(GCASIM_KEY(quant.out_levels), 32, 3, 1 << 20, "levels",
                   "Readout counter levels on [-1,1], step 2/(levels-1) from 0 (at least 3: with 2 the step "
                   "is 2 and every output rounds to 0)")
            .from(paper("outputs in 32 levels on [-1, 1] (Methods; hardware.md section 3)")),
        t::choice(GCASIM_KEY(quant.out_clip), output_clip::authors,
                  {{"authors", output_clip::authors}, {"counter", output_clip::counter}},
                  "Readout at +-1: authors = round like the authors' code (+-32/31), counter = saturate at "
                  "+-(levels-1)/2 steps"),
        t::number(GCASIM_KEY(pulse.s_sat), 80, 0, 1e12, "MAC units", "Charge-to-pulse saturation S_sat (HardSigmoid)",
                  true)
            .from(paper("S_sat = 80 in the authors' code (Eq. (3); hardware.md section 3)")),
        t::number(GCASIM_KEY(pulse.t_max_ns), 15, 0, 1e6, "ns", "Longest input/charge-to-pulse pulse T_max", true)
            .from(paper("T_max = 15 ns (Eq. (3); hardware.md section 3)")),
        t::choice(GCASIM_KEY(readout.combine), combine_mode::digital_adders,
                  {{"digital_adders", combine_mode::digital_adders}, {"charge_sharing", combine_mode::charge_sharing}},
                  "Combine the sub-tiles: digital adders (the paper) or analog charge sharing"),
        // Costs: every figure says where it comes from (docs/cost_model.md gives the equations).
        t::integer(GCASIM_KEY(array.tiers), 1, 1, 1024, "",
                   "Tiers of arrays stacked in the back end (oxide-semiconductor cells): the cells' footprint "
                   "is divided by it, the periphery stays")
            .from(assumed("planar, as the paper's silicon design; the paper sketches stacking (3D estimate)")),
        t::number(GCASIM_KEY(cell.read_v), 0.9, 0, 10, "V", "Read pulse amplitude V_in", true)
            .from(paper("cubic cell fit with V_in = 0.9 V (docs/hardware.md section 3)")),
        t::number(GCASIM_KEY(cell.read_current_na), 152.8, 0, 1e9, "nA",
                  "Cell read current of one MAC unit: a cell's current is read_current_na * (P(delta*y) - P(-0.45))")
            .from(derived("fitted with c2p.conversion_pj so that the design point's K and V parts are the "
                          "published 1120 and 700 pJ (scripts/calibrate)")),
        t::number(GCASIM_KEY(cell.write_tau_ns), 2.8, 0, 1e6, "ns",
                  "Write time constant of the storage node (R_write * C_storage): settling to half an LSB "
                  "takes write_tau_ns * ln(2 * kv_levels)")
            .from(assumed("with dac.settle_ns, a 10 ns write at 8 levels (the phase split is not published)")),
        t::number(GCASIM_KEY(cell.storage_ff), 1, 0, 1e6, "fF", "Storage capacitance of a gain cell")
            .from(assumed("typical of silicon gain cells (1-3 fF); not published")),
        t::number(GCASIM_KEY(cell.area_um2), 1, 0, 1e6, "um^2", "Footprint of one gain cell", true)
            .from(paper("6T gain cell of about 1 um^2")),
        t::boolean(GCASIM_KEY(lines.physics), false,
                   "Line resistance and capacitance act on the read time and the MAC (false: ideal lines, the "
                   "paper's model; the capacitances cost energy either way)"),
        t::number(GCASIM_KEY(lines.wl_ff_per_cell), 0.2, 0, 1e6, "fF", "Word-line capacitance per cell (gate and wire)")
            .from(assumed("a gate and 1 um of wire per cell pitch; not published")),
        t::number(GCASIM_KEY(lines.bl_ff_per_cell), 0.2, 0, 1e6, "fF", "Bit-line capacitance per cell (drain and wire)")
            .from(assumed("a drain and 1 um of wire per cell pitch; not published")),
        t::number(GCASIM_KEY(lines.r_ohm_per_cell), 2, 0, 1e9, "ohm", "Line resistance per cell pitch")
            .from(assumed("thin metal over a 1 um pitch; not published")),
        t::number(GCASIM_KEY(lines.driver_ohm), 5000, 0, 1e12, "ohm", "Output resistance of a line driver")
            .from(assumed("a small driver; not published")),
        t::number(GCASIM_KEY(lines.share_ff_per_tile), 5, 0, 1e9, "fF",
                  "Parasitic capacitance of the charge-sharing bus per sub-tile (lines.physics)")
            .from(assumed("a few um of wire per sub-tile; not published")),
        t::number(GCASIM_KEY(dac.settle_ns), 2, 0, 1e6, "ns", "Settling time of a write DAC's output")
            .from(assumed("with cell.write_tau_ns, a 10 ns write at 8 levels (the phase split is not published)")),
        t::number(GCASIM_KEY(dac.level_fj), 366.3, 0, 1e12, "fJ",
                  "Energy of one DAC conversion per level: a write costs (kv_levels - 1) * level_fj plus charging "
                  "the write line and the cell")
            .from(derived("fitted so that the design point's DAC part is the published 330 pJ (scripts/calibrate)")),
        t::number(GCASIM_KEY(dac.area_per_level_um2), 2, 0, 1e9, "um^2", "DAC area per level (unit element)")
            .from(assumed("a unit capacitor and switch; not published")),
        t::number(GCASIM_KEY(pulse.generator_area_um2), 20, 0, 1e9, "um^2", "Area of one query pulse generator")
            .from(assumed("a counter-compare and a driver; not published")),
        t::number(GCASIM_KEY(c2p.conversion_pj), 0.3294, 0, 1e9, "pJ",
                  "Energy of one charge-to-pulse conversion (comparator, reset), besides its discharge current")
            .from(derived("fitted with cell.read_current_na to the published 1120 / 700 pJ (scripts/calibrate)")),
        t::number(GCASIM_KEY(c2p.area_um2), 25, 0, 1e9, "um^2", "Area of one charge-to-pulse converter")
            .from(assumed("a comparator and an integration capacitor; not published")),
        t::number(GCASIM_KEY(readout.conversion_pj), 0.3294, 0, 1e9, "pJ",
                  "Energy of one signed charge-to-pulse conversion, besides its discharge current and counter")
            .from(assumed("the same converter as c2p.conversion_pj (its fitted value), with a sign comparator")),
        t::number(GCASIM_KEY(readout.counter_step_fj), 19, 0, 1e9, "fJ", "Energy of one counter increment")
            .from(assumed("a 5-bit increment, scaled from Horowitz ISSCC 2014 (int8 add 30 fJ, 45 nm)")),
        t::integer(GCASIM_KEY(readout.sign_cycles), 1, 0, 1000, "cycles", "Clock cycles to decide the sign")
            .from(assumed("one comparator decision per clock")),
        t::number(GCASIM_KEY(readout.integrator_ff), 50, 0, 1e9, "fF",
                  "Integration capacitor of a readout converter (the charge that charge sharing shares)")
            .from(assumed("not published")),
        t::number(GCASIM_KEY(readout.area_um2), 30, 0, 1e9, "um^2", "Area of one signed readout converter")
            .from(assumed("two comparators and an integration capacitor; not published")),
        t::number(GCASIM_KEY(digital.control_power_mw), 113.7, 0, 1e9, "mW",
                  "Power of the digital control and routing of a head while it is active")
            .from(paper("digital control quoted at 113.7 mW with its 4 nJ per token (docs/hardware.md section 9)")),
        t::integer(GCASIM_KEY(digital.adder_stage_cycles), 1, 0, 1000, "cycles", "Clock cycles per adder-tree stage")
            .from(assumed("a 9-bit ripple add fits in one cycle")),
        t::integer(GCASIM_KEY(digital.scale_cycles), 1, 0, 1000, "cycles", "Clock cycles of the output scaler a*x+b")
            .from(assumed("one multiply-add per cycle")),
        t::integer(GCASIM_KEY(digital.bus_bits), 256, 1, 1 << 20, "bits", "Width of the output routing bus")
            .from(assumed("not published")),
        t::number(GCASIM_KEY(digital.add_fj_per_bit), 3.75, 0, 1e9, "fJ", "Energy of an addition per bit")
            .from(paper("Horowitz ISSCC 2014: int8 add 0.03 pJ at 45 nm (not scaled)")),
        t::number(GCASIM_KEY(digital.mult_pj), 0.2, 0, 1e9, "pJ", "Energy of one scaling multiply")
            .from(paper("Horowitz ISSCC 2014: int8 multiply 0.2 pJ at 45 nm (not scaled)")),
        t::number(GCASIM_KEY(digital.route_fj_per_bit), 10, 0, 1e9, "fJ", "Energy of moving one output bit to the next block")
            .from(assumed("about 1 mm of wire; not published")),
        t::number(GCASIM_KEY(digital.adder_area_um2_per_bit), 4, 0, 1e9, "um^2", "Adder area per bit (a full adder)")
            .from(assumed("a full adder; not published")),
        t::number(GCASIM_KEY(digital.flop_area_um2), 5, 0, 1e9, "um^2", "Area of one flip-flop (counters)")
            .from(assumed("a flip-flop; not published")),
        t::number(GCASIM_KEY(digital.control_area_mm2), 0.1982, 0, 1e6, "mm^2", "Area of a head's control and routing")
            .from(derived("the published 0.5 mm^2 per head minus its other blocks at the design point "
                          "(scripts/calibrate_area)")),
        t::number(GCASIM_KEY(process.leakage_uw_per_mm2), 50, 0, 1e12, "uW/mm^2",
                  "Static power per area of every block: energy per token grows with the token period")
            .from(assumed("a low-power process; not published")),
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
                  true)
            .from(assumed("tau / 5: a refreshed value keeps delta >= exp(-0.2); the refresh policy is not published")),
        t::number(GCASIM_KEY(readout.scale), 40, 0, 1e12, "MAC units", "Readout full scale (S_sat/2 in the paper)", true)
            .from(paper("readout full scale 40 = S_sat / 2 in the authors' code (hardware.md section 3)")),
        t::choice(GCASIM_KEY(sim.precision), device::mac_precision::exact,
                  {{"exact", device::mac_precision::exact}, {"float32", device::mac_precision::float32}},
                  "Arithmetic of the array MACs: exact (double, the reference numbers) or float32 (an 8-entry "
                  "table per token line, faster; about 1e-6 of a MAC off, see docs/performance.md). float32 "
                  "needs noiseless quantized writes of <= 8 levels, else the MACs stay exact"),
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
