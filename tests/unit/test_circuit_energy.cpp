// The energy equations of device/circuit_energy.h against oracles: the cheap cell-read form equals
// the sum over the cells, the DAC's summed form equals the per-cell sum, the worst case grows the
// way its closed form says (static term linear in the token period, control in its power).
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "config/head_config.h"
#include "device/circuit_energy.h"

using namespace gcasim;

TEST_CASE("a cell's read current is smallest at 0 V: P_floor bounds the cubic and the linear model", "[energy]")
{
    for (auto shape : {device::nonlinearity::polynomial, device::nonlinearity::linear})
        for (int polarity : {1, -1}) {
            const device::cell_model model(shape, device::leakage_form::none, polarity);
            const device::cell_current range = device::cell_current_range(model);
            CHECK(range.polarity == polarity);
            CHECK(range.top > range.floor);
            for (double v = 0; v <= 0.9; v += 0.01)
                CHECK(polarity * model.read(v) >= range.floor - 1e-12);
        }
}

TEST_CASE("the cheap cell-read energy of a MAC equals the sum over its driven cells", "[energy]")
{
    // A K-like MAC: `inputs` word lines each crossing `lines` enabled token lines.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> volts(0.0, 0.9), pulse(0.0, 1.0);
    for (int polarity : {1, -1}) {
        const device::cell_model model(device::nonlinearity::polynomial, device::leakage_form::voltage, polarity);
        const device::cell_current range = device::cell_current_range(model);
        const std::size_t inputs = 5, lines = 7;
        const double delta = 0.8;
        std::vector<double> x(inputs);
        for (double& xi : x)
            xi = pulse(rng);
        double sum_out = 0, sum_in = 0, oracle = 0;
        for (std::size_t w = 0; w < inputs; ++w)
            sum_in += x[w];
        for (std::size_t line = 0; line < lines; ++line)
            for (std::size_t w = 0; w < inputs; ++w) {
                const double v = volts(rng);
                sum_out += x[w] * model.read(v, delta);  // what the MAC integrates
                oracle += x[w] * (polarity * model.read(v, delta) - range.floor);
            }
        const double unit = device::read_unit_aj(0.9, 150, 15);
        CHECK(unit == Approx(0.9 * 150 * 15));
        CHECK(device::mac_read_aj(unit, polarity, sum_out, range.floor, sum_in, lines) == Approx(unit * oracle));
    }
}

TEST_CASE("DAC writes: the summed form equals the per-cell equation", "[energy]")
{
    const std::vector<double> v = {0.0, 0.1286, 0.9, 0.45};
    double sum_v = 0, sum_v2 = 0, oracle = 0;
    for (double vi : v) {
        sum_v += vi;
        sum_v2 += vi * vi;
        oracle += 7 * 366.3e3 + (12.8 * 0.9 * vi + 1.0 * vi * vi / 2) * 1e3;  // aJ
    }
    CHECK(device::dac_write_aj(4, 7 * 366.3e3, 12.8, 0.9, 1.0, sum_v, sum_v2) == Approx(oracle));
}

TEST_CASE("worst case: static energy linear in the token period, control = power x clocked time", "[energy]")
{
    config::head_config c = config::default_head_config();
    const auto at = [&](double period, double power_mw) {
        c.timing.token_period_ns = period;
        c.digital.control_power_mw = power_mw;
        return device::worst_case_head_pj(c);
    };
    const auto base = at(100, 0), longer = at(300, 0), powered = at(100, 100);
    double static_pj = 0;
    for (const auto& [part, uw] : device::head_static_power_uw(c))
        static_pj += uw * 100 * 1e-3;  // uW x ns = fJ
    CHECK(longer.at("total") - base.at("total") == Approx(2 * static_pj));
    CHECK(powered.at("digital") - base.at("digital") == Approx(100 * device::control_active_ns(c)));  // mW x ns = pJ
    // Every part of the worst case: at least the parts' fixed terms, and the parts add up to the total.
    double sum = 0;
    for (const char* part : {"qk", "pv", "dac", "refresh", "digital"})
        sum += base.at(part);
    CHECK(sum == Approx(base.at("total")));
    CHECK(base.at("refresh") == 0);  // refresh off
}

TEST_CASE("worst case: qk and pv grow with the window, the cells at the top of their range", "[energy]")
{
    config::head_config c = config::default_head_config();
    const auto small = device::worst_case_head_pj(c);
    c.window = 4096;
    const auto large = device::worst_case_head_pj(c);
    CHECK(large.at("qk") > 3.5 * small.at("qk"));
    CHECK(large.at("pv") > 3.5 * small.at("pv"));
    CHECK(large.at("dac") < 1.05 * small.at("dac"));  // one token written either way (its static term grows)
}
