// Circuit timing (device/circuit_timing.h, config/head_timing.h): the scaling laws of the phase
// cycles. Expected values are worked out by hand from the equations in docs/cost_model.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config/head_config.h"
#include "config/head_timing.h"
#include "config/param_schema.h"
#include "device/array_physics.h"
#include "device/circuit_timing.h"

using namespace gcasim;
using device::cycle_count;

namespace {

config::head_config head_with(const std::vector<std::string>& overrides)
{
    config::param_schema schema;
    config::add_head_params(schema);
    nlohmann::json c = schema.defaults();
    for (const std::string& o : overrides)
        schema.apply_override(c, o);
    schema.validate(c);
    return config::parse_head_config(c);
}

/// The phase cycles as a list: write, qk, pv, readout, digital.
std::vector<cycle_count> phases(const device::phase_cycles& p)
{
    return {p.write, p.qk, p.pv, p.readout.total(), p.digital.total()};
}

}  // namespace

TEST_CASE("cycles_covering rounds up to whole cycles, keeping whole multiples", "[timing]")
{
    CHECK(device::cycles_covering(15, 1) == 15);
    CHECK(device::cycles_covering(15.001, 1) == 16);
    CHECK(device::cycles_covering(9.763, 1) == 10);
    CHECK(device::cycles_covering(15, 2) == 8);
    CHECK(device::cycles_covering(15, 0.7) == 22);  // 21.43 -> 22
    CHECK(device::cycles_covering(2.1, 0.7) == 3);  // 2.1 / 0.7 = 3.0000000000000004 in doubles
    CHECK(device::cycles_covering(0.3 * 3, 0.3) == 3);  // 0.8999999999999999 / 0.3
    CHECK(device::cycles_covering(0, 1) == 0);
}

TEST_CASE("the design point: 10 + 15 + 15 + 17 + 8 = 65 cycles of 1 ns", "[timing]")
{
    const device::phase_cycles p = config::head_phase_cycles(config::default_head_config());
    CHECK(phases(p) == std::vector<cycle_count>{10, 15, 15, 17, 8});
    CHECK(p.readout.sign == 1);
    CHECK(p.readout.counter_steps == 16);
    CHECK(p.digital.adder_stages == 4);
    CHECK(p.digital.combine == 4);
    CHECK(p.digital.scale == 1);
    CHECK(p.digital.routing == 3);  // 64 outputs x (5 + 4) bits on a 256-bit bus
    CHECK(p.total() == 65);
    CHECK(config::head_phases_ns(config::default_head_config()) == 65.0);
}

TEST_CASE("T_max 15 -> 8 ns shortens qk and pv by 7 ns each and nothing else", "[timing]")
{
    const device::phase_cycles t15 = config::head_phase_cycles(head_with({}));
    const device::phase_cycles t8 = config::head_phase_cycles(head_with({"pulse.t_max_ns=8"}));
    CHECK(t15.qk - t8.qk == 7);
    CHECK(t15.pv - t8.pv == 7);
    CHECK(t8.write == t15.write);
    CHECK(t8.readout.total() == t15.readout.total());
    CHECK(t8.digital.total() == t15.digital.total());
    CHECK(config::head_phases_ns(head_with({})) - config::head_phases_ns(head_with({"pulse.t_max_ns=8"})) == 14.0);
}

TEST_CASE("at any clock every phase is whole cycles and its time is cycles x clock", "[timing]")
{
    for (const char* clock : {"0.7", "2", "1", "0.3", "3.3"}) {
        INFO("clock " << clock);
        const config::head_config c = head_with({std::string("timing.clock_period_ns=") + clock});
        const double clk = c.timing.clock_period_ns;
        const device::phase_cycles p = config::head_phase_cycles(c);
        // The analog phases: the fewest cycles that cover the circuit's time.
        const double write_ns = 2 + 2.8 * std::log(16.0);
        CHECK(static_cast<double>(p.write) * clk >= write_ns - 1e-9);
        CHECK(static_cast<double>(p.write - 1) * clk < write_ns);
        CHECK(static_cast<double>(p.qk) * clk >= 15 - 1e-9);
        CHECK(static_cast<double>(p.qk - 1) * clk < 15);
        CHECK(p.pv == p.qk);
        // The counted phases do not depend on the clock, only their time does.
        CHECK(p.readout.total() == 17);
        CHECK(p.digital.total() == 8);
        CHECK(config::head_phases_ns(c) == static_cast<double>(p.total()) * clk);
    }
    CHECK(config::head_phase_cycles(head_with({"timing.clock_period_ns=0.7"})).qk == 22);  // 15.4 ns
    CHECK(config::head_phase_cycles(head_with({"timing.clock_period_ns=2"})).write == 5);   // 10 ns
}

TEST_CASE("adder stages = ceil(log2 N) sub-tiles", "[timing]")
{
    CHECK(device::adder_tree_stages(1) == 0);
    CHECK(device::adder_tree_stages(2) == 1);
    CHECK(device::adder_tree_stages(16) == 4);
    CHECK(device::adder_tree_stages(17) == 5);
    CHECK(device::adder_tree_stages(64) == 6);
    // Through the config: window / array.tokens sub-tiles.
    for (const auto& [window, stages] : std::vector<std::pair<int, int>>{{64, 0}, {128, 1}, {1024, 4}, {1088, 5},
                                                                         {4096, 6}}) {
        INFO("window " << window);
        const device::phase_cycles p = config::head_phase_cycles(head_with({"window=" + std::to_string(window)}));
        CHECK(p.digital.adder_stages == stages);
        CHECK(p.digital.combine == static_cast<cycle_count>(stages));
    }
    // Two cycles per stage double the tree's cycles.
    CHECK(config::head_phase_cycles(head_with({"digital.adder_stage_cycles=2"})).digital.combine == 8);
}

TEST_CASE("counter steps follow the output levels and the clip mode", "[timing]")
{
    using device::output_clip;
    CHECK(device::counter_full_scale_steps(32, output_clip::authors) == 16);  // round_half_even(15.5)
    CHECK(device::counter_full_scale_steps(32, output_clip::counter) == 15);
    CHECK(device::counter_full_scale_steps(34, output_clip::authors) == 16);  // round_half_even(16.5)
    CHECK(device::counter_full_scale_steps(33, output_clip::authors) == 16);
    CHECK(device::counter_full_scale_steps(33, output_clip::counter) == 16);
    CHECK(device::counter_full_scale_steps(3, output_clip::counter) == 1);
    CHECK(device::counter_full_scale_steps(256, output_clip::authors) == 128);
    const device::phase_cycles fine = config::head_phase_cycles(head_with({"quant.out_levels=256"}));
    CHECK(fine.readout.counter_steps == 128);
    CHECK(fine.readout.total() == 129);
    CHECK(config::head_phase_cycles(head_with({"quant.out_clip=counter"})).readout.total() == 16);
    CHECK(config::head_phase_cycles(head_with({"readout.sign_cycles=3"})).readout.total() == 19);
    // quant.enabled false changes the numerics, never the circuit.
    CHECK(phases(config::head_phase_cycles(head_with({"quant.enabled=false"}))) ==
          phases(config::head_phase_cycles(head_with({}))));
}

TEST_CASE("the write grows with ln(2 kv_levels)", "[timing]")
{
    for (int levels : {2, 8, 64, 1024}) {
        INFO("levels " << levels);
        CHECK_THAT(device::write_settle_ns(2, 2.8, levels),
                   Catch::Matchers::WithinRel(2 + 2.8 * std::log(2.0 * levels), 1e-12));
    }
    // Each doubling of the levels adds write_tau * ln 2.
    CHECK_THAT(device::write_settle_ns(2, 2.8, 16) - device::write_settle_ns(2, 2.8, 8),
               Catch::Matchers::WithinRel(2.8 * std::log(2.0), 1e-12));
    CHECK(config::head_phase_cycles(head_with({"quant.kv_levels=64"})).write == 16);  // 2 + 2.8 ln 128 = 15.59
    CHECK(config::head_phase_cycles(head_with({"quant.kv_levels=2"})).write == 6);    // 2 + 2.8 ln 4 = 5.88
    CHECK(config::head_phase_cycles(head_with({"dac.settle_ns=5"})).write == 13);     // 12.76
}

TEST_CASE("charge sharing has no adder stages: one cycle to share, narrower outputs", "[timing]")
{
    const device::phase_cycles p = config::head_phase_cycles(head_with({"readout.combine=charge_sharing"}));
    CHECK(p.digital.adder_stages == 0);
    CHECK(p.digital.combine == 1);
    CHECK(p.digital.routing == 2);  // 64 x 5 bits on 256
    CHECK(p.digital.total() == 4);
    CHECK(device::output_bits(32, 16, device::combine_mode::charge_sharing) == 5);
    CHECK(device::output_bits(32, 16, device::combine_mode::digital_adders) == 9);
}

TEST_CASE("routing moves d x b_out bits over the bus", "[timing]")
{
    CHECK(device::routing_cycles(64, 9, 256) == 3);
    CHECK(device::routing_cycles(64, 8, 256) == 2);
    CHECK(device::routing_cycles(256, 9, 256) == 9);
    CHECK(device::routing_cycles(1, 1, 256) == 1);
    CHECK(config::head_phase_cycles(head_with({"head_dim=256"})).digital.routing == 9);
    CHECK(config::head_phase_cycles(head_with({"digital.bus_bits=64"})).digital.routing == 9);
}

TEST_CASE("lines.physics adds the lines' settle time before rounding to whole cycles", "[timing]")
{
    using device::array_side;
    using device::line_access;
    for (int tokens : {64, 256, 1024}) {
        INFO("array.tokens " << tokens);
        const config::head_config c = head_with({"lines.physics=true", "array.tokens=" + std::to_string(tokens),
                                                 "window=" + std::to_string(tokens)});
        const device::phase_cycles p = config::head_phase_cycles(c);
        const double k_settle = device::line_settle_ns(c, array_side::k, line_access::read);
        const double v_settle = device::line_settle_ns(c, array_side::v, line_access::read);
        const double w_settle = std::max(device::line_settle_ns(c, array_side::k, line_access::write),
                                         device::line_settle_ns(c, array_side::v, line_access::write));
        CHECK(k_settle > 0);
        CHECK(p.qk == device::cycles_covering(15 + k_settle, 1));
        CHECK(p.pv == device::cycles_covering(15 + v_settle, 1));
        CHECK(p.write == device::cycles_covering(2 + 2.8 * std::log(16.0) + w_settle, 1));
    }
    // Longer lines settle longer: the pv phase (V bit lines of array.tokens cells) grows with the array.
    const auto pv_of = [](int tokens) {
        return config::head_phase_cycles(head_with({"lines.physics=true", "array.tokens=" + std::to_string(tokens),
                                                    "window=" + std::to_string(tokens)}))
            .pv;
    };
    CHECK(pv_of(1024) > pv_of(64));
    // Off: ideal lines, T_max alone.
    CHECK(config::head_phase_cycles(head_with({"array.tokens=1024", "window=1024"})).pv == 15);
}
