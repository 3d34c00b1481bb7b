// Non-idealities in the plain C++ device math: per-cell gains and per-cell retention.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "device/cell_lines.h"
#include "device/random.h"

using namespace gcasim::device;

namespace {

struct fixture {
    std::size_t lines = 8, width = 5;
    cell_model model{nonlinearity::polynomial, leakage_form::voltage, 1};
    std::vector<double> volts, in_k, in_v, delta;
    fixture()
    {
        splitmix64 rng(7);
        for (std::size_t i = 0; i < lines * width; ++i)
            volts.push_back(0.9 * rng.uniform());
        for (std::size_t i = 0; i < width; ++i)
            in_k.push_back(rng.uniform());
        for (std::size_t i = 0; i < lines; ++i) {
            in_v.push_back(rng.uniform());
            delta.push_back(0.5 + 0.5 * rng.uniform());
        }
    }
    void fill(cell_lines& c) const
    {
        for (std::size_t l = 0; l < lines; ++l)
            c.write(l, &volts[l * width]);
    }
};

}  // namespace

TEST_CASE("cell gains scale each cell's read current, and unit gains change nothing", "[nonideal]")
{
    const fixture f;
    for (auto order : {cell_lines::storage::by_line, cell_lines::storage::by_cell}) {
        cell_lines plain(f.lines, f.width, f.model, order), unit(f.lines, f.width, f.model, order),
            varied(f.lines, f.width, f.model, order);
        unit.set_cell_gains(std::vector<double>(f.lines * f.width, 1.0));
        std::vector<double> gains(f.lines * f.width);
        for (std::size_t i = 0; i < gains.size(); ++i)
            gains[i] = 1.0 + 0.1 * std::sin(static_cast<double>(i));
        varied.set_cell_gains(gains);
        f.fill(plain), f.fill(unit), f.fill(varied);

        std::vector<double> a(f.lines), b(f.lines), c(f.lines);
        plain.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, a.data());
        unit.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, b.data());
        varied.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, c.data());
        for (std::size_t l = 0; l < f.lines; ++l) {
            double expected = 0;
            for (std::size_t w = 0; w < f.width; ++w)
                expected += f.in_k[w] * gains[l * f.width + w] * f.model.read(f.volts[l * f.width + w], f.delta[l]);
            CHECK(b[l] == Approx(a[l]).epsilon(1e-12));
            CHECK(c[l] == Approx(expected).epsilon(1e-12));
            CHECK(c[l] != Approx(a[l]).epsilon(1e-6));
        }
        std::vector<double> x(f.width), y(f.width);
        varied.mac_per_width(f.in_v.data(), f.delta.data(), x.data());
        plain.mac_per_width(f.in_v.data(), f.delta.data(), y.data());
        for (std::size_t w = 0; w < f.width; ++w) {
            double expected = 0;
            for (std::size_t l = 0; l < f.lines; ++l)
                expected += f.in_v[l] * gains[l * f.width + w] * f.model.read(f.volts[l * f.width + w], f.delta[l]);
            CHECK(x[w] == Approx(expected).epsilon(1e-12));
            CHECK(x[w] != Approx(y[w]).epsilon(1e-6));
        }
    }
}

TEST_CASE("per-cell retention: rate 1 matches the per-line leakage, other rates decay as delta^rate", "[nonideal]")
{
    const fixture f;
    cell_lines plain(f.lines, f.width, f.model), same(f.lines, f.width, f.model), spread(f.lines, f.width, f.model);
    same.set_decay_rates(std::vector<double>(f.lines * f.width, 1.0));
    std::vector<double> rates(f.lines * f.width);
    for (std::size_t i = 0; i < rates.size(); ++i)
        rates[i] = std::exp(0.5 * std::cos(static_cast<double>(i)));
    spread.set_decay_rates(rates);
    f.fill(plain), f.fill(same), f.fill(spread);
    std::vector<double> a(f.lines), b(f.lines), c(f.lines);
    plain.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, a.data());
    same.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, b.data());
    spread.mac_per_line(f.in_k.data(), f.delta.data(), nullptr, c.data());
    for (std::size_t l = 0; l < f.lines; ++l) {
        double expected = 0;
        for (std::size_t w = 0; w < f.width; ++w)
            expected += f.in_k[w] * f.model.read(f.volts[l * f.width + w], std::pow(f.delta[l], rates[l * f.width + w]));
        CHECK(b[l] == Approx(a[l]).epsilon(1e-12));
        CHECK(c[l] == Approx(expected).epsilon(1e-12));
    }
    // What a refresh senses: the decayed deviation of each cell.
    CHECK(spread.decayed_deviation(2, 3, 0.8) ==
          Approx(std::pow(0.8, rates[2 * f.width + 3]) * (f.volts[2 * f.width + 3] - v_mid)));
}

TEST_CASE("derived seeds differ per instance and repeat per base seed", "[nonideal]")
{
    CHECK(derive_seed(1, 0, 0) == derive_seed(1, 0, 0));
    CHECK(derive_seed(1, 0, 0) != derive_seed(1, 0, 1));
    CHECK(derive_seed(1, 0, 1) != derive_seed(1, 1, 0));
    CHECK(derive_seed(1, 0, 0) != derive_seed(2, 0, 0));
}
