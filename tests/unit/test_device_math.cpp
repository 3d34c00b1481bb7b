// Device math: the cubic read model and its leakage forms, the quantizers, the token-line MAC
// kernels. Expected values come from docs/hardware.md (computed by hand / in Python), not from
// the code under test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "device/cell_lines.h"
#include "device/cell_model.h"
#include "device/quantizer.h"

using namespace gcasim::device;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// P(y) with the coefficients printed in hardware.md (8 digits: good to ~1e-8 absolute).
double doc_cubic(double y)
{
    return 0.52136361 + 13.61226063 * y - 2.62044562 * y * y + 46.05483778 * y * y * y;
}

const nonlinearity shapes[] = {nonlinearity::polynomial, nonlinearity::linear};
const leakage_form leaks[] = {leakage_form::none, leakage_form::voltage, leakage_form::current};

}  // namespace

// ------------------------------------------------------------------------------------------------
// cell_model

TEST_CASE("cubic coefficients derived from the 10 published c_ij (V_in = 0.9)", "[cell_model]")
{
    const std::array<double, 4> a = published_cubic_coefficients();
    CHECK_THAT(a[0], WithinAbs(0.52136361, 1e-7));
    CHECK_THAT(a[1], WithinAbs(13.61226063, 1e-7));
    CHECK_THAT(a[2], WithinAbs(-2.62044562, 1e-7));
    CHECK_THAT(a[3], WithinAbs(46.05483778, 1e-7));
    // Exactly: a0 = c00 + c01*0.9 + c02*0.81 + c03*0.729 = 0.52136361391.
    CHECK_THAT(a[0], WithinRel(0.52136361391, 1e-13));
}

TEST_CASE("polynomial read without leakage at hand-computed points", "[cell_model]")
{
    const cell_model pos(nonlinearity::polynomial, leakage_form::none, 1);
    const cell_model neg(nonlinearity::polynomial, leakage_form::none, -1);
    CHECK(pos.degree() == 3);
    // y = 0: only a0 (mid-rail cell still conducts).
    CHECK_THAT(pos.read(0.45), WithinRel(0.52136361391, 1e-12));
    // v = 0.9 (y = +0.45) and v = 0 (y = -0.45); values from the exact a_i.
    CHECK_THAT(pos.read(0.9), WithinRel(10.312987754065, 1e-12));
    CHECK_THAT(pos.read(0.0), WithinRel(-10.33154100194, 1e-12));
    CHECK_THAT(pos.read(0.6), WithinRel(2.6596777600899992, 1e-12));
    // Polarity -1 flips every term.
    CHECK_THAT(neg.read(0.9), WithinRel(-10.312987754065, 1e-12));
    CHECK_THAT(neg.read(0.0), WithinRel(10.33154100194, 1e-12));
    CHECK_THAT(neg.read(0.45), WithinRel(-0.52136361391, 1e-12));
    // "none" ignores delta.
    CHECK(pos.read(0.9, 0.3) == pos.read(0.9, 1.0));
    // The documented 8-digit coefficients agree.
    for (double v = 0.0; v <= 0.9; v += 0.05)
        CHECK_THAT(pos.read(v), WithinAbs(doc_cubic(v - 0.45), 1e-7));
}

TEST_CASE("polynomial read with the voltage leakage form is P(delta*y)", "[cell_model]")
{
    const cell_model m(nonlinearity::polynomial, leakage_form::voltage, 1);
    // delta = 0.5: P(0.225), P(-0.225), P(0.075).
    CHECK_THAT(m.read(0.9, 0.5), WithinRel(3.9760555836859375, 1e-12));
    CHECK_THAT(m.read(0.0, 0.5), WithinRel(-3.198648474789688, 1e-12));
    CHECK_THAT(m.read(0.6, 0.5), WithinRel(1.5469725395415623, 1e-12));
    // Mid rail does not decay in the voltage form.
    CHECK_THAT(m.read(0.45, 0.5), WithinRel(0.52136361391, 1e-12));
    CHECK_THAT(m.read(0.45, 0.0), WithinRel(0.52136361391, 1e-12));
    // Fully decayed cell reads like mid rail.
    CHECK_THAT(m.read(0.9, 0.0), WithinRel(0.52136361391, 1e-12));
    CHECK(m.read(0.9, 1.0) == m.read(0.9));
    const cell_model neg(nonlinearity::polynomial, leakage_form::voltage, -1);
    CHECK_THAT(neg.read(0.9, 0.5), WithinRel(-3.9760555836859375, 1e-12));
}

TEST_CASE("polynomial read with the current leakage form is delta*P(y)", "[cell_model]")
{
    const cell_model m(nonlinearity::polynomial, leakage_form::current, 1);
    CHECK_THAT(m.read(0.9, 0.5), WithinRel(5.1564938770325, 1e-12));
    CHECK_THAT(m.read(0.0, 0.5), WithinRel(-5.16577050097, 1e-12));
    CHECK_THAT(m.read(0.6, 0.5), WithinRel(1.3298388800449996, 1e-12));
    // Unlike the voltage form, a mid-rail cell's current decays too.
    CHECK_THAT(m.read(0.45, 0.5), WithinRel(0.5 * 0.52136361391, 1e-12));
    CHECK(m.read(0.9, 0.0) == 0.0);
    const cell_model neg(nonlinearity::polynomial, leakage_form::current, -1);
    CHECK_THAT(neg.read(0.0, 0.5), WithinRel(5.16577050097, 1e-12));
}

TEST_CASE("linear read is 19.3*y; both leakage forms coincide for it", "[cell_model]")
{
    for (leakage_form leak : leaks) {
        const cell_model pos(nonlinearity::linear, leak, 1);
        const cell_model neg(nonlinearity::linear, leak, -1);
        CHECK(pos.degree() == 1);
        CHECK(pos.read(0.45) == 0.0);
        CHECK_THAT(pos.read(0.9), WithinRel(8.685, 1e-12));
        CHECK_THAT(pos.read(0.0), WithinRel(-8.685, 1e-12));
        CHECK_THAT(neg.read(0.9), WithinRel(-8.685, 1e-12));
        CHECK_THAT(pos.read(0.55), WithinRel(1.93, 1e-12));
        const double expected_half = leak == leakage_form::none ? 8.685 : 4.3425;
        CHECK_THAT(pos.read(0.9, 0.5), WithinRel(expected_half, 1e-12));
    }
}

TEST_CASE("term_weights reproduce read for every model", "[cell_model]")
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> volts(0.0, 0.9), decay(0.0, 1.0);
    for (nonlinearity shape : shapes)
        for (leakage_form leak : leaks)
            for (int polarity : {1, -1}) {
                const cell_model m(shape, leak, polarity);
                for (int i = 0; i < 50; ++i) {
                    const double v = volts(rng), delta = decay(rng), y = v - 0.45;
                    const std::array<double, 4> w = m.term_weights(delta);
                    const double sum = w[0] + w[1] * y + w[2] * y * y + w[3] * y * y * y;
                    CHECK_THAT(sum, WithinAbs(m.read(v, delta), 1e-12));
                }
                // Coefficients above the degree are zero.
                const std::array<double, 4> w = m.term_weights(0.7);
                for (int k = m.degree() + 1; k <= 3; ++k)
                    CHECK(w[k] == 0.0);
            }
}

TEST_CASE("cell_model rejects a polarity other than +-1", "[cell_model]")
{
    CHECK_THROWS_AS(cell_model(nonlinearity::polynomial, leakage_form::none, 0), std::invalid_argument);
    CHECK_THROWS_AS(cell_model(nonlinearity::linear, leakage_form::none, 2), std::invalid_argument);
}

TEST_CASE("decay_factor", "[cell_model]")
{
    CHECK(decay_factor(1.0, 0.0) == 1.0);
    CHECK(decay_factor(1.0, -5.0) == 1.0);
    CHECK(decay_factor(1.0, std::numeric_limits<double>::infinity()) == 1.0);
    CHECK(decay_factor(1.0, std::nan("")) == 1.0);
    CHECK(decay_factor(0.0, 5e-3) == 1.0);
    CHECK_THAT(decay_factor(5e-3, 5e-3), WithinRel(0.36787944117144233, 1e-15));
    // One generation step of 0.8 us with tau = 5 ms: the paper's exp(-1.6e-4).
    CHECK_THAT(decay_factor(0.8e-6, 5e-3), WithinRel(std::exp(-1.6e-4), 1e-14));
    CHECK_THAT(decay_factor(2.0, 1.0), WithinRel(0.1353352832366127, 1e-15));
}

// ------------------------------------------------------------------------------------------------
// quantizer

TEST_CASE("round_half_even", "[quantizer]")
{
    CHECK(round_half_even(0.5) == 0.0);
    CHECK(round_half_even(-0.5) == 0.0);
    CHECK(round_half_even(1.5) == 2.0);
    CHECK(round_half_even(-1.5) == -2.0);
    CHECK(round_half_even(2.5) == 2.0);
    CHECK(round_half_even(-2.5) == -2.0);
    CHECK(round_half_even(3.5) == 4.0);
    CHECK(round_half_even(-3.5) == -4.0);
    CHECK(round_half_even(15.5) == 16.0);
    CHECK(round_half_even(16.5) == 16.0);
    // Non-ties round to nearest.
    CHECK(round_half_even(2.4) == 2.0);
    CHECK(round_half_even(2.6) == 3.0);
    CHECK(round_half_even(-2.4) == -2.0);
    CHECK(round_half_even(-2.6) == -3.0);
    CHECK(round_half_even(0.49999999999999994) == 0.0);  // largest double below 0.5
    CHECK(round_half_even(7.0) == 7.0);
    CHECK(round_half_even(-7.0) == -7.0);
    CHECK(round_half_even(0.0) == 0.0);
    CHECK(round_half_even(1e15 + 0.5) == 1e15);
    CHECK(round_half_even(1e15 + 1.5) == 1e15 + 2);
}

TEST_CASE("round_half_even does not depend on the floating-point rounding mode", "[quantizer]")
{
    const int saved = std::fegetround();
    for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
        std::fesetround(mode);
        volatile double x = 2.5, y = -2.5, z = 2.6;
        const double rx = round_half_even(x), ry = round_half_even(y), rz = round_half_even(z);
        std::fesetround(saved);
        CHECK(rx == 2.0);
        CHECK(ry == -2.0);
        CHECK(rz == 3.0);
    }
    std::fesetround(saved);
}

TEST_CASE("query quantizer: 16 levels on [0,1]", "[quantizer]")
{
    const quantizer q(0.0, 1.0, 16);
    CHECK(q.enabled());
    CHECK(q.levels() == 16);
    CHECK_THAT(q.step(), WithinRel(1.0 / 15, 1e-15));
    // 0.5 / (1/15) = 7.5, a tie: half-even gives 8, i.e. 8/15 (not 7/15).
    CHECK(q.steps(0.5) == 8);
    CHECK_THAT(q(0.5), WithinRel(8.0 / 15, 1e-15));
    CHECK_THAT(q(0.52), WithinRel(8.0 / 15, 1e-15));   // 7.8 -> 8
    CHECK_THAT(q(0.04), WithinRel(1.0 / 15, 1e-15));   // 0.6 -> 1
    CHECK(q(0.03) == 0.0);                              // 0.45 -> 0
    CHECK(q(0.0) == 0.0);
    CHECK_THAT(q(1.0), WithinRel(1.0, 1e-15));
    // Clamping to [0,1].
    CHECK(q(-0.2) == 0.0);
    CHECK(q.steps(-0.2) == 0);
    CHECK_THAT(q(1.3), WithinRel(1.0, 1e-15));
    CHECK(q.steps(1.3) == 15);
}

TEST_CASE("K/V DAC quantizer: 8 levels on [0,0.9]", "[quantizer]")
{
    const quantizer kv(0.0, 0.9, 8);
    const double step = 0.9 / 7;
    CHECK_THAT(kv.step(), WithinRel(step, 1e-15));
    CHECK(kv(0.0) == 0.0);
    CHECK_THAT(kv(0.9), WithinRel(0.9, 1e-15));
    CHECK_THAT(kv(0.1), WithinRel(step, 1e-15));        // 0.78 steps -> 1
    CHECK_THAT(kv(0.2), WithinRel(2 * step, 1e-15));    // 1.56 -> 2
    CHECK_THAT(kv(0.7), WithinRel(5 * step, 1e-15));    // 5.44 -> 5
    CHECK_THAT(kv(0.8), WithinRel(6 * step, 1e-15));    // 6.22 -> 6
    CHECK_THAT(kv(1.2), WithinRel(0.9, 1e-15));
    CHECK(kv(-0.1) == 0.0);
    // Every output is on the grid, and within half a step of the clamped input.
    for (double x = -0.2; x < 1.1; x += 0.013) {
        const double y = kv(x), c = std::min(std::max(x, 0.0), 0.9);
        const double k = y / step;
        CHECK_THAT(k, WithinAbs(std::round(k), 1e-9));
        CHECK(std::fabs(y - c) <= step / 2 + 1e-12);
    }
}

TEST_CASE("output quantizer: 32 levels on [-1,1], grid anchored at 0", "[quantizer]")
{
    const quantizer out(-1.0, 1.0, 32);
    CHECK_THAT(out.step(), WithinRel(2.0 / 31, 1e-15));
    // +-1 = +-15.5 steps: half-even gives +-16 steps = +-32/31, beyond the range (authors' code).
    CHECK(out.steps(1.0) == 16);
    CHECK(out.steps(-1.0) == -16);
    CHECK_THAT(out(1.0), WithinRel(32.0 / 31, 1e-15));
    CHECK_THAT(out(-1.0), WithinRel(-32.0 / 31, 1e-15));
    CHECK_THAT(out(2.0), WithinRel(32.0 / 31, 1e-15));   // clamped first
    CHECK_THAT(out(-7.0), WithinRel(-32.0 / 31, 1e-15));
    // 1/31 is half a step: rounds to 0 (even), and so does -1/31.
    CHECK(out.steps(1.0 / 31) == 0);
    CHECK(out(1.0 / 31) == 0.0);
    CHECK(out(-1.0 / 31) == 0.0);
    CHECK(out(0.0) == 0.0);
    // 5/31 = 2.5 steps -> 2; 3/31 = 1.5 steps -> 2.
    CHECK(out.steps(5.0 / 31) == 2);
    CHECK(out.steps(3.0 / 31) == 2);
    CHECK(out.steps(-3.0 / 31) == -2);
    CHECK_THAT(out(0.1), WithinRel(4.0 / 31, 1e-15));    // 1.55 -> 2
    CHECK_THAT(out(-0.2), WithinRel(-6.0 / 31, 1e-15));  // -3.1 -> -3
    CHECK_THAT(out(0.99), WithinRel(30.0 / 31, 1e-15));  // 15.345 -> 15
}

TEST_CASE("levels = 0 turns quantization off (clamp only)", "[quantizer]")
{
    const quantizer q(0.0, 1.0, 0);
    CHECK_FALSE(q.enabled());
    CHECK(q(0.37) == 0.37);
    CHECK(q(0.123456789) == 0.123456789);
    CHECK(q(1.5) == 1.0);
    CHECK(q(-0.2) == 0.0);
    const quantizer kv(0.0, 0.9, 0);
    CHECK(kv(0.45) == 0.45);
    CHECK(kv(3.0) == 0.9);
}

TEST_CASE("quantizer with 2 levels and invalid arguments", "[quantizer]")
{
    const quantizer two(0.0, 1.0, 2);
    CHECK(two(0.5) == 0.0);  // 0.5 steps -> 0
    CHECK(two(0.51) == 1.0);
    CHECK_THROWS_AS(quantizer(1.0, 1.0, 8), std::invalid_argument);
    CHECK_THROWS_AS(quantizer(1.0, 0.0, 8), std::invalid_argument);
    CHECK_THROWS_AS(quantizer(0.0, std::nan(""), 8), std::invalid_argument);
    CHECK_THROWS_AS(quantizer(0.0, 1.0, 1), std::invalid_argument);
    CHECK_THROWS_AS(quantizer(0.0, 1.0, -4), std::invalid_argument);
}

TEST_CASE("clamp and hard_sigmoid", "[quantizer]")
{
    CHECK(clamp(-1.0, 0.0, 1.0) == 0.0);
    CHECK(clamp(2.0, 0.0, 1.0) == 1.0);
    CHECK(clamp(0.25, 0.0, 1.0) == 0.25);
    CHECK(hard_sigmoid(-5.0, 80.0) == 0.0);
    CHECK(hard_sigmoid(0.0, 80.0) == 0.0);
    CHECK(hard_sigmoid(40.0, 80.0) == 0.5);
    CHECK(hard_sigmoid(20.0, 80.0) == 0.25);
    CHECK(hard_sigmoid(80.0, 80.0) == 1.0);
    CHECK(hard_sigmoid(80.000001, 80.0) == 1.0);
    CHECK(hard_sigmoid(1e9, 80.0) == 1.0);
}

// ------------------------------------------------------------------------------------------------
// cell_lines

namespace {

struct random_lines {
    std::size_t lines, width;
    std::vector<double> volts, in_width, in_lines, delta;
    std::vector<std::uint8_t> enabled;

    random_lines(std::size_t l, std::size_t w, std::uint64_t seed) : lines(l), width(w)
    {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> v(0.0, 0.9), u(0.0, 1.0), d(0.2, 1.0);
        for (std::size_t i = 0; i < l * w; ++i)
            volts.push_back(v(rng));
        for (std::size_t i = 0; i < w; ++i)
            in_width.push_back(u(rng));
        for (std::size_t i = 0; i < l; ++i) {
            in_lines.push_back(i % 5 == 3 ? 0.0 : u(rng));  // some lines without a pulse
            delta.push_back(d(rng));
            enabled.push_back(i % 4 != 1);
        }
    }
};

// Tolerance for a sum: relative 1e-12 of the sum of magnitudes of its terms.
void check_sum(double got, double expected, double magnitude)
{
    CHECK_THAT(got, WithinAbs(expected, 1e-12 * magnitude + 1e-300));
}

}  // namespace

const cell_lines::storage orders[] = {cell_lines::storage::by_line, cell_lines::storage::by_cell};

TEST_CASE("cell_lines MACs equal a direct loop over read(v, delta)", "[cell_lines]")
{
    // 21 lines x 19 cells: the kernels' blocks of 8 and their remainders.
    const random_lines data(21, 19, 42);
    for (cell_lines::storage order : orders)
        for (nonlinearity shape : shapes)
            for (leakage_form leak : leaks)
                for (int polarity : {1, -1}) {
                    const cell_model m(shape, leak, polarity);
                    cell_lines cells(data.lines, data.width, m, order);
                    for (std::size_t l = 0; l < data.lines; ++l)
                        cells.write(l, &data.volts[l * data.width]);

                    // K orientation: per token line, sum over the width.
                    std::vector<double> out(data.lines, -99.0);
                    cells.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(),
                                       out.data());
                    for (std::size_t l = 0; l < data.lines; ++l) {
                        if (!data.enabled[l]) {
                            CHECK(out[l] == 0.0);
                            continue;
                        }
                        double expected = 0.0, magnitude = 0.0;
                        for (std::size_t w = 0; w < data.width; ++w) {
                            const double term =
                                data.in_width[w] * m.read(data.volts[l * data.width + w], data.delta[l]);
                            expected += term;
                            magnitude += std::fabs(term);
                        }
                        check_sum(out[l], expected, magnitude);
                    }
                    // No enable vector: every line takes part.
                    std::vector<double> all(data.lines, -99.0);
                    cells.mac_per_line(data.in_width.data(), data.delta.data(), nullptr, all.data());
                    for (std::size_t l = 0; l < data.lines; ++l)
                        if (data.enabled[l])
                            CHECK(all[l] == out[l]);
                        else
                            CHECK(all[l] != 0.0);

                    // V orientation: per width column, sum over token lines.
                    std::vector<double> col(data.width, -99.0);
                    cells.mac_per_width(data.in_lines.data(), data.delta.data(), col.data());
                    for (std::size_t w = 0; w < data.width; ++w) {
                        double expected = 0.0, magnitude = 0.0;
                        for (std::size_t l = 0; l < data.lines; ++l) {
                            const double term =
                                data.in_lines[l] * m.read(data.volts[l * data.width + w], data.delta[l]);
                            expected += term;
                            magnitude += std::fabs(term);
                        }
                        check_sum(col[w], expected, magnitude);
                    }
                }
}

TEST_CASE("cell_lines with zero inputs give exactly zero", "[cell_lines]")
{
    const random_lines data(8, 5, 3);
    for (nonlinearity shape : shapes) {
        cell_lines cells(data.lines, data.width, cell_model(shape, leakage_form::voltage, 1));
        for (std::size_t l = 0; l < data.lines; ++l)
            cells.write(l, &data.volts[l * data.width]);
        const std::vector<double> zero_w(data.width, 0.0), zero_l(data.lines, 0.0);
        std::vector<double> out(data.lines, 7.0), col(data.width, 7.0);
        cells.mac_per_line(zero_w.data(), data.delta.data(), nullptr, out.data());
        cells.mac_per_width(zero_l.data(), data.delta.data(), col.data());
        for (double x : out)
            CHECK(x == 0.0);
        for (double x : col)
            CHECK(x == 0.0);
    }
}

TEST_CASE("cell_lines: every line disabled gives zeros; no pulsed line gives zeros", "[cell_lines]")
{
    const random_lines data(16, 8, 5);
    for (cell_lines::storage order : orders) {
        cell_lines cells(data.lines, data.width, cell_model(nonlinearity::polynomial, leakage_form::none, 1), order);
        for (std::size_t l = 0; l < data.lines; ++l)
            cells.write(l, &data.volts[l * data.width]);
        const std::vector<std::uint8_t> none(data.lines, 0);
        std::vector<double> out(data.lines, std::nan(""));
        cells.mac_per_line(data.in_width.data(), data.delta.data(), none.data(), out.data());
        for (double x : out)
            CHECK(x == 0.0);
        const std::vector<double> no_pulse(data.lines, 0.0);
        std::vector<double> col(data.width, std::nan(""));
        cells.mac_per_width(no_pulse.data(), data.delta.data(), col.data());
        for (double x : col)
            CHECK(x == 0.0);
    }
}

TEST_CASE("both storage orders give the same MACs up to rounding", "[cell_lines]")
{
    const random_lines data(21, 19, 9);
    const cell_model m(nonlinearity::polynomial, leakage_form::voltage, 1);
    cell_lines by_line(data.lines, data.width, m, cell_lines::storage::by_line);
    cell_lines by_cell(data.lines, data.width, m, cell_lines::storage::by_cell);
    for (std::size_t l = 0; l < data.lines; ++l) {
        by_line.write(l, &data.volts[l * data.width]);
        by_cell.write(l, &data.volts[l * data.width]);
    }
    std::vector<double> a(data.lines), b(data.lines);
    by_line.mac_per_line(data.in_width.data(), data.delta.data(), nullptr, a.data());
    by_cell.mac_per_line(data.in_width.data(), data.delta.data(), nullptr, b.data());
    for (std::size_t l = 0; l < data.lines; ++l)
        CHECK_THAT(a[l], WithinAbs(b[l], 1e-12 * (1 + std::fabs(b[l]))));
    std::vector<double> c(data.width), d(data.width);
    by_line.mac_per_width(data.in_lines.data(), data.delta.data(), c.data());
    by_cell.mac_per_width(data.in_lines.data(), data.delta.data(), d.data());
    for (std::size_t w = 0; w < data.width; ++w)
        CHECK_THAT(c[w], WithinAbs(d[w], 1e-12 * (1 + std::fabs(d[w]))));
}

TEST_CASE("unwritten lines hold 0.45 V (y = 0)", "[cell_lines]")
{
    const cell_model m(nonlinearity::polynomial, leakage_form::current, 1);
    cell_lines cells(3, 4, m);
    CHECK(cells.lines() == 3);
    CHECK(cells.width() == 4);
    for (std::size_t l = 0; l < 3; ++l)
        for (std::size_t c = 0; c < 4; ++c)
            CHECK(cells.stored(l, c) == 0.45);
    const double written[4] = {0.9, 0.0, 0.3, 0.6};
    cells.write(1, written);
    for (std::size_t c = 0; c < 4; ++c)
        CHECK_THAT(cells.stored(1, c), WithinAbs(written[c], 1e-15));
    CHECK(cells.stored(0, 2) == 0.45);
    CHECK(cells.stored(2, 2) == 0.45);

    // An unwritten line reads a0 per unit of input: current form delta*a0*sum(in).
    const double in[4] = {1.0, 0.5, 0.25, 0.25};
    const double delta[3] = {0.5, 1.0, 0.8};
    double out[3];
    cells.mac_per_line(in, delta, nullptr, out);
    CHECK_THAT(out[0], WithinRel(0.5 * 0.52136361391 * 2.0, 1e-12));
    CHECK_THAT(out[2], WithinRel(0.8 * 0.52136361391 * 2.0, 1e-12));
    // The written line: 1*P(.45) + .5*P(-.45) + .25*P(-.15) + .25*P(.15), times delta = 1.
    const double expected = 10.312987754065 - 0.5 * 10.33154100194 + 0.25 * (doc_cubic(-0.15) + doc_cubic(0.15));
    CHECK_THAT(out[1], WithinAbs(expected, 1e-7));
}

TEST_CASE("cell_lines rewrite replaces a line; bad arguments throw", "[cell_lines]")
{
    cell_lines cells(2, 2, cell_model(nonlinearity::linear, leakage_form::none, 1));
    const double first[2] = {0.9, 0.9}, second[2] = {0.0, 0.45};
    cells.write(0, first);
    cells.write(0, second);
    const double in[2] = {1.0, 1.0}, delta[2] = {1.0, 1.0};
    double out[2];
    cells.mac_per_line(in, delta, nullptr, out);
    CHECK_THAT(out[0], WithinRel(-8.685, 1e-12));
    CHECK(out[1] == 0.0);
    CHECK_THROWS_AS(cells.write(2, first), std::out_of_range);
    const cell_model m(nonlinearity::linear, leakage_form::none, 1);
    CHECK_THROWS_AS(cell_lines(0, 4, m), std::invalid_argument);
    CHECK_THROWS_AS(cell_lines(4, 0, m), std::invalid_argument);
}

namespace {

/// MACs of the same DAC-grid values through plane storage and code storage. Lines 4 and 17 are
/// never written (y = 0); some lines are disabled, some without a pulse.
void compare_code_and_plane_storage(std::size_t width)
{
    const random_lines data(21, width, 77);
    const cell_lines::code_grid grid{0.9 / 7, 8};
    const quantizer dac(0.0, 0.9, 8);
    std::vector<double> volts(data.volts.size());
    std::transform(data.volts.begin(), data.volts.end(), volts.begin(), [&](double v) { return dac(v); });
    auto same = [&](double a, double b) { CHECK_THAT(a, WithinAbs(b, 1e-13 * (1 + std::fabs(b)))); };
    for (cell_lines::storage order : orders)
        for (nonlinearity shape : shapes)
            for (leakage_form leak : leaks) {
                INFO("width " << width << ", order " << int(order) << ", shape " << int(shape) << ", leak "
                              << int(leak));
                const cell_model m(shape, leak, -1);
                cell_lines planes(data.lines, data.width, m, order);
                cell_lines codes(data.lines, data.width, m, order, &grid);
                REQUIRE(codes.stores_codes());
                REQUIRE(!planes.stores_codes());
                for (std::size_t l = 0; l < data.lines; ++l)
                    if (l != 4 && l != 17) {
                        planes.write(l, &volts[l * data.width]);
                        codes.write(l, &volts[l * data.width]);
                    }
                for (std::size_t l = 0; l < data.lines; ++l)
                    for (std::size_t w = 0; w < data.width; ++w)
                        REQUIRE(codes.decayed_deviation(l, w, 0.5) == planes.decayed_deviation(l, w, 0.5));
                std::vector<double> a(data.lines), b(data.lines);
                planes.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), a.data());
                codes.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), b.data());
                for (std::size_t l = 0; l < data.lines; ++l)
                    same(b[l], a[l]);
                std::vector<double> c(data.width), d(data.width);
                planes.mac_per_width(data.in_lines.data(), data.delta.data(), c.data());
                codes.mac_per_width(data.in_lines.data(), data.delta.data(), d.data());
                for (std::size_t w = 0; w < data.width; ++w)
                    same(d[w], c[w]);
            }
}

}  // namespace

TEST_CASE("cell_lines code storage gives the plane storage's MACs", "[cell_lines]")
{
    // The kernels rebuild the same powers and sum in the same order, so an -O3 build gives the same
    // bits (the platforms' outputs were byte-identical before and after code storage); the compiler
    // may still fuse a multiply-add differently at other optimisation levels, hence a tolerance of
    // a few ulps. Width 24: blocks of 8 only; width 19: with remainders.
    compare_code_and_plane_storage(24);
    compare_code_and_plane_storage(19);
}

namespace {

/// The float32 table MACs against the exact ones on the same codes, within the rounding bound of
/// float sums: (n + 3) * 2^-24 of the sum of the terms' magnitudes (n terms; the table entry, the
/// input and each product rounded once). Lines 4 and 17 are never written (y = 0).
void compare_float_tables(std::size_t width)
{
    const random_lines data(21, width, 91);
    const cell_lines::code_grid grid{0.9 / 7, 8};
    const quantizer dac(0.0, 0.9, 8);
    std::vector<double> volts(data.volts.size());
    std::transform(data.volts.begin(), data.volts.end(), volts.begin(), [&](double v) { return dac(v); });
    for (nonlinearity shape : shapes)
        for (leakage_form leak : leaks) {
            INFO("width " << width << ", shape " << int(shape) << ", leak " << int(leak));
            const cell_model m(shape, leak, -1);
            cell_lines exact(data.lines, data.width, m, cell_lines::storage::by_line, &grid);
            cell_lines tables(data.lines, data.width, m, cell_lines::storage::by_line, &grid,
                              mac_precision::float32);
            REQUIRE(tables.float_tables());
            REQUIRE(!exact.float_tables());
            for (std::size_t l = 0; l < data.lines; ++l)
                if (l != 4 && l != 17) {
                    exact.write(l, &volts[l * data.width]);
                    tables.write(l, &volts[l * data.width]);
                }
            auto read = [&](std::size_t l, std::size_t w) {
                return m.read(l == 4 || l == 17 ? v_mid : volts[l * data.width + w], data.delta[l]);
            };
            const double unit = std::ldexp(1.0, -24);
            std::vector<double> a(data.lines), b(data.lines);
            exact.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), a.data());
            tables.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), b.data());
            for (std::size_t l = 0; l < data.lines; ++l) {
                double magnitude = 0;
                for (std::size_t w = 0; w < data.width; ++w)
                    magnitude += std::fabs(data.in_width[w] * read(l, w));
                CHECK_THAT(b[l], WithinAbs(a[l], (data.width + 3) * unit * magnitude));
                if (!data.enabled[l])
                    CHECK(b[l] == 0.0);
            }
            std::vector<double> c(data.width), d(data.width);
            exact.mac_per_width(data.in_lines.data(), data.delta.data(), c.data());
            tables.mac_per_width(data.in_lines.data(), data.delta.data(), d.data());
            for (std::size_t w = 0; w < data.width; ++w) {
                double magnitude = 0;
                for (std::size_t l = 0; l < data.lines; ++l)
                    magnitude += std::fabs(data.in_lines[l] * read(l, w));
                CHECK_THAT(d[w], WithinAbs(c[w], (data.lines + 3) * unit * magnitude));
                CHECK(d[w] != c[w]);  // float sums: not the exact path by accident
            }
        }
}

}  // namespace

TEST_CASE("cell_lines exact MACs are the same bits eight or four doubles a register", "[cell_lines]")
{
    // 45 lines x 45 cells: the wide kernels' passes of 32 and 8 and what is left to the four-wide
    // ones. On a processor without AVX-512 both runs take the four-wide kernels.
    INFO("AVX-512 kernels on this processor: " << wide_kernels());
    const random_lines data(45, 45, 123);
    const cell_lines::code_grid grid{0.9 / 7, 8};
    const quantizer dac(0.0, 0.9, 8);
    std::vector<double> volts(data.volts.size());
    std::transform(data.volts.begin(), data.volts.end(), volts.begin(), [&](double v) { return dac(v); });
    for (cell_lines::storage order : orders)
        for (nonlinearity shape : shapes)
            for (leakage_form leak : leaks) {
                INFO("order " << int(order) << ", shape " << int(shape) << ", leak " << int(leak));
                const cell_model m(shape, leak, -1);
                cell_lines codes(data.lines, data.width, m, order, &grid);
                for (std::size_t l = 0; l < data.lines; ++l)
                    if (l != 4 && l != 40)
                        codes.write(l, &volts[l * data.width]);
                std::vector<double> line_sums[2], width_sums[2];
                for (int wide = 0; wide < 2; ++wide) {
                    allow_wide_kernels(wide == 1);
                    line_sums[wide].assign(data.lines, -1.0);
                    width_sums[wide].assign(data.width, -1.0);
                    codes.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(),
                                       line_sums[wide].data());
                    codes.mac_per_width(data.in_lines.data(), data.delta.data(), width_sums[wide].data());
                }
                allow_wide_kernels(true);
                CHECK(line_sums[0] == line_sums[1]);
                CHECK(width_sums[0] == width_sums[1]);
            }
}

TEST_CASE("cell_lines float32 tables agree with the exact MACs to float rounding", "[cell_lines]")
{
    // Width 64: vector blocks only; width 19: with remainders.
    compare_float_tables(64);
    compare_float_tables(19);
}

TEST_CASE("cell_lines float32 tables only where one 8-entry table per line holds a line", "[cell_lines]")
{
    const cell_model m(nonlinearity::polynomial, leakage_form::voltage, 1);
    const cell_lines::code_grid eight{0.9 / 7, 8}, sixteen{0.9 / 15, 16};
    const auto f32 = mac_precision::float32;
    CHECK(cell_lines(4, 8, m, cell_lines::storage::by_line, &eight, f32).float_tables());
    CHECK(!cell_lines(4, 8, m, cell_lines::storage::by_cell, &eight, f32).float_tables());
    CHECK(!cell_lines(4, 8, m, cell_lines::storage::by_line, &sixteen, f32).float_tables());
    CHECK(!cell_lines(4, 8, m, cell_lines::storage::by_line, nullptr, f32).float_tables());
    cell_lines spread(4, 8, m, cell_lines::storage::by_line, &eight, f32);
    spread.set_decay_rates(std::vector<double>(32, 1.0));
    CHECK(!spread.float_tables());
}

TEST_CASE("cell_lines code storage rejects values off the grid and bad grids", "[cell_lines]")
{
    const cell_model m(nonlinearity::polynomial, leakage_form::voltage, 1);
    const cell_lines::code_grid grid{0.9 / 7, 8};
    cell_lines cells(2, 3, m, cell_lines::storage::by_cell, &grid);
    const quantizer dac(0.0, 0.9, 8);
    const double on_grid[3] = {0.0, 0.9 / 7 * 3, dac(0.9)}, off_grid[3] = {0.0, 0.2, 0.9},
                 above[3] = {0.0, 0.0, 0.9 / 7 * 8}, nan[3] = {0.0, std::nan(""), 0.0};
    CHECK_NOTHROW(cells.write(0, on_grid));
    CHECK_THROWS_AS(cells.write(1, off_grid), std::invalid_argument);
    CHECK_THROWS_AS(cells.write(1, above), std::invalid_argument);
    CHECK_THROWS_AS(cells.write(1, nan), std::invalid_argument);
    const cell_lines::code_grid too_many{0.001, 257}, one_level{0.1, 1}, no_step{0.0, 8};
    CHECK_THROWS_AS(cell_lines(2, 3, m, cell_lines::storage::by_cell, &too_many), std::invalid_argument);
    CHECK_THROWS_AS(cell_lines(2, 3, m, cell_lines::storage::by_cell, &one_level), std::invalid_argument);
    CHECK_THROWS_AS(cell_lines(2, 3, m, cell_lines::storage::by_cell, &no_step), std::invalid_argument);
    // Cell gains need the planes: the array leaves code storage and keeps its values.
    cells.set_cell_gains(std::vector<double>(6, 1.0));
    CHECK(!cells.stores_codes());
    CHECK(cells.stored(0, 1) == 0.9 / 7 * 3);
    CHECK(cells.stored(1, 1) == 0.45);
}

TEST_CASE("cell_lines write_codes stores what write stores for the codes' voltages", "[cell_lines]")
{
    // Both storage orders, both precisions: the same cells, so bit-identical MACs.
    const random_lines data(21, 19, 17);
    const cell_lines::code_grid grid{0.9 / 7, 8};
    const quantizer dac(0.0, 0.9, 8);
    const cell_model m(nonlinearity::polynomial, leakage_form::voltage, 1);
    for (cell_lines::storage order : orders)
        for (mac_precision precision : {mac_precision::exact, mac_precision::float32}) {
            cell_lines by_volts(data.lines, data.width, m, order, &grid, precision);
            cell_lines by_codes(data.lines, data.width, m, order, &grid, precision);
            for (std::size_t l = 0; l < data.lines; ++l) {
                std::vector<double> volts(data.width);
                std::vector<std::uint8_t> codes(data.width);
                for (std::size_t w = 0; w < data.width; ++w) {
                    codes[w] = static_cast<std::uint8_t>(dac.steps(data.volts[l * data.width + w]));
                    volts[w] = dac(data.volts[l * data.width + w]);
                }
                by_volts.write(l, volts.data());
                by_codes.write_codes(l, codes.data());
                for (std::size_t w = 0; w < data.width; ++w)
                    CHECK(by_codes.stored(l, w) == by_volts.stored(l, w));
            }
            std::vector<double> a(data.lines), b(data.lines), c(data.width), d(data.width);
            by_volts.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), a.data());
            by_codes.mac_per_line(data.in_width.data(), data.delta.data(), data.enabled.data(), b.data());
            by_volts.mac_per_width(data.in_lines.data(), data.delta.data(), c.data());
            by_codes.mac_per_width(data.in_lines.data(), data.delta.data(), d.data());
            CHECK(a == b);
            CHECK(c == d);
        }
    cell_lines cells(2, 3, m, cell_lines::storage::by_line, &grid);
    const std::uint8_t past_top[3] = {0, 8, 1};
    CHECK_THROWS_AS(cells.write_codes(0, past_top), std::invalid_argument);
    CHECK_THROWS_AS(cells.write_codes(2, past_top), std::out_of_range);
    cell_lines planes(2, 3, m);  // no grid: the cells hold voltages
    const std::uint8_t codes[3] = {0, 1, 2};
    CHECK_THROWS_AS(planes.write_codes(0, codes), std::logic_error);
}

TEST_CASE("round_half_even equals x - remainder(x, 1) on random and tie values", "[quantizer]")
{
    // The definition the authors' quantizer uses (remainder rounds its quotient half to even).
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> wide(-1e6, 1e6), narrow(-20.0, 20.0);
    for (int i = 0; i < 200000; ++i) {
        const double x = i % 3 == 0 ? wide(rng) : (i % 3 == 1 ? narrow(rng) : std::ldexp(std::floor(narrow(rng) * 4), -2));
        const double expected = x - std::remainder(x, 1.0);
        REQUIRE(round_half_even(x) == expected);
        REQUIRE(std::signbit(round_half_even(x)) == std::signbit(expected));
    }
    CHECK(std::isnan(round_half_even(std::nan(""))));
    CHECK(round_half_even(std::ldexp(1.0, 60)) == std::ldexp(1.0, 60));
}
