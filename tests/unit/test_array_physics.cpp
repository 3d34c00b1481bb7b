// Array physics (device/array_physics.h): line settle times, IR drop along the bit lines, charge
// sharing with parasitics. Each test checks an equation, a scaling law or an exact oracle.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "config/head_config.h"
#include "device/array_physics.h"
#include "device/cell_model.h"

using namespace gcasim;
using device::array_side;
using device::line_access;

namespace {

config::head_config physics_on()
{
    config::head_config c = config::default_head_config();
    c.lines.physics = true;
    return c;
}

}  // namespace

TEST_CASE("Elmore time constant: driver into the line plus the distributed line", "[array_physics]")
{
    // 5 kohm * 64 * 0.2 fF + 0.5 * 2 ohm * 0.2 fF * 64^2 = 64 000 + 819.2 ohm fF = 0.0648192 ns
    CHECK(device::elmore_tau_ns(5000, 2, 0.2, 64) == Approx(0.0648192).epsilon(1e-12));
    // Without a driver the line alone grows with n^2, without line resistance the driver with n.
    CHECK(device::elmore_tau_ns(0, 2, 0.2, 128) == Approx(4 * device::elmore_tau_ns(0, 2, 0.2, 64)).epsilon(1e-12));
    CHECK(device::elmore_tau_ns(5000, 0, 0.2, 128) == Approx(2 * device::elmore_tau_ns(5000, 0, 0.2, 64)).epsilon(1e-12));
    CHECK_THROWS_AS(device::elmore_tau_ns(5000, 2, 0.2, 0), std::invalid_argument);
}

TEST_CASE("settling to half an LSB takes tau * ln(2 levels)", "[array_physics]")
{
    CHECK(device::half_lsb_settle_ns(1.0, 16) == Approx(std::log(32.0)).epsilon(1e-15));
    // Twice the levels: one more ln 2 of tau.
    CHECK(device::half_lsb_settle_ns(0.3, 32) - device::half_lsb_settle_ns(0.3, 16) ==
          Approx(0.3 * std::log(2.0)).epsilon(1e-12));
}

TEST_CASE("line settle time is zero with ideal lines and follows the lines' geometry", "[array_physics]")
{
    config::head_config off = config::default_head_config();
    REQUIRE_FALSE(off.lines.physics);
    for (auto side : {array_side::k, array_side::v})
        for (auto access : {line_access::read, line_access::write})
            CHECK(device::line_settle_ns(off, side, access) == 0.0);

    const config::head_config c = physics_on();
    const double tau_l_wl = device::elmore_tau_ns(c.lines.driver_ohm, c.lines.r_ohm_per_cell, c.lines.wl_ff_per_cell, 64);
    const double tau_d_bl = device::elmore_tau_ns(c.lines.driver_ohm, c.lines.r_ohm_per_cell, c.lines.bl_ff_per_cell, 64);
    CHECK(device::line_settle_ns(c, array_side::k, line_access::read) ==
          Approx((tau_l_wl + tau_d_bl) * std::log(2.0 * c.quant.q_levels)).epsilon(1e-12));
    CHECK(device::line_settle_ns(c, array_side::v, line_access::read) ==
          Approx((tau_l_wl + tau_d_bl) * std::log(2.0 * c.quant.out_levels)).epsilon(1e-12));
    CHECK(device::line_settle_ns(c, array_side::k, line_access::write) ==
          Approx(tau_d_bl * std::log(2.0 * c.quant.kv_levels)).epsilon(1e-12));
}

TEST_CASE("read settle grows with array.tokens and head_dim, write settle with array.tokens only", "[array_physics]")
{
    for (auto side : {array_side::k, array_side::v}) {
        double previous = 0;
        for (int tokens : {16, 64, 256, 1024}) {
            config::head_config c = physics_on();
            c.array.tokens = tokens;
            const double t = device::line_settle_ns(c, side, line_access::read);
            CHECK(t > previous);
            previous = t;
        }
        previous = 0;
        for (int d : {16, 64, 256}) {
            config::head_config c = physics_on();
            c.head_dim = d;
            const double t = device::line_settle_ns(c, side, line_access::read);
            CHECK(t > previous);
            previous = t;
        }
    }
    config::head_config narrow = physics_on(), wide = physics_on(), long_lines = physics_on();
    wide.head_dim = 256;
    long_lines.array.tokens = 256;
    CHECK(device::line_settle_ns(wide, array_side::k, line_access::write) ==
          device::line_settle_ns(narrow, array_side::k, line_access::write));
    CHECK(device::line_settle_ns(long_lines, array_side::v, line_access::write) >
          device::line_settle_ns(narrow, array_side::v, line_access::write));
}

TEST_CASE("full-current read resistance is V / (I_u (P(+0.45) - P(-0.45))) for either polarity", "[array_physics]")
{
    using device::leakage_form;
    using device::nonlinearity;
    const device::cell_model plus(nonlinearity::polynomial, leakage_form::voltage, 1);
    const device::cell_model minus(nonlinearity::polynomial, leakage_form::voltage, -1);
    const double full_scale = plus.read(0.9) - plus.read(0.0);
    CHECK(device::full_read_ohm(plus, 0.9, 142) == Approx(0.9 / (142e-9 * full_scale)).epsilon(1e-12));
    CHECK(device::full_read_ohm(minus, 0.9, 142) == Approx(device::full_read_ohm(plus, 0.9, 142)).epsilon(1e-15));
    CHECK(std::isinf(device::full_read_ohm(plus, 0.9, 0)));
}

TEST_CASE("bit-line IR drop: exact ladder solutions, monotonic along the line", "[array_physics]")
{
    const double r = 2, cell = 3e5, a = r / cell;
    // One cell: the cell in series with one segment, 1 / (1 + r / R_cell).
    CHECK(device::bit_line_gains(1, r, cell)[0] == Approx(1 / (1 + a)).epsilon(1e-14));
    // Two cells, solved by hand: u1 = a (2 + a) / (a^2 + 3a + 1), u2 = (a + u1) / (1 + a).
    const std::vector<double> two = device::bit_line_gains(2, r, cell);
    const double u1 = a * (2 + a) / (a * a + 3 * a + 1), u2 = (a + u1) / (1 + a);
    CHECK(two[0] == Approx(1 - u1).epsilon(1e-14));
    CHECK(two[1] == Approx(1 - u2).epsilon(1e-14));
    // Kirchhoff's current law at every node of a long line (u = 1 - g, node 0 at ground).
    const std::vector<double> g = device::bit_line_gains(256, 50, cell);
    for (std::size_t k = 0; k < g.size(); ++k) {
        const double u = 1 - g[k], below = k == 0 ? 0 : 1 - g[k - 1], above = k + 1 < g.size() ? 1 - g[k + 1] : u;
        CHECK((below - u) + (above - u) + (50 / cell) * (1 - u) == Approx(0).margin(1e-12));
        if (k > 0)
            CHECK(g[k] < g[k - 1]);
        CHECK(g[k] > 0);
    }
    // Ideal lines or no read current: no drop, exactly.
    for (double gain : device::bit_line_gains(64, 0, cell))
        CHECK(gain == 1.0);
    for (double gain : device::bit_line_gains(64, r, HUGE_VAL))
        CHECK(gain == 1.0);
}

TEST_CASE("the far end of a bit line loses more the longer the line", "[array_physics]")
{
    double previous = 1;
    for (int n : {16, 64, 256, 1024}) {
        const double far = device::bit_line_gains(n, 2, 3e5).back();
        CHECK(far < previous);
        previous = far;
    }
    // A long line approaches the continuous line: far-end gain 1 / cosh(n sqrt(a)).
    const double a = 2 / 3e5;
    CHECK(device::bit_line_gains(1024, 2, 3e5).back() == Approx(1 / std::cosh(1024 * std::sqrt(a))).epsilon(0.01));
}

TEST_CASE("an array's bit lines: K spans head_dim, V spans array.tokens", "[array_physics]")
{
    config::head_config c = physics_on();
    c.head_dim = 32;
    c.array.tokens = 128;
    const device::cell_model model(c.cell.nonlinearity, c.cell.leakage.model, c.cell.polarity);
    CHECK(device::bit_line_gains(c, model, array_side::k).size() == 32);
    CHECK(device::bit_line_gains(c, model, array_side::v).size() == 128);
    c.lines.physics = false;
    CHECK(device::bit_line_gains(c, model, array_side::v).empty());
}

TEST_CASE("IR-drop offset keeps a cell storing 0 V at the floor", "[array_physics]")
{
    // g * P + (1 - g) * P_floor with P = P_floor is P_floor: no physical current, nothing to drop.
    const double floor = -10.3, g = 0.8;
    CHECK(g * floor + device::ir_drop_offset(g, floor) == Approx(floor).epsilon(1e-15));
    CHECK(device::ir_drop_offset(1.0, floor) == 0.0);
}

TEST_CASE("charge sharing: ideal at zero parasitics, gain falls as they grow", "[array_physics]")
{
    for (int n : {1, 2, 16, 64})
        CHECK(device::charge_sharing_gain(50, n, 0) == 1.0);
    double previous = 1;
    for (double parasitic : {0.5, 5.0, 50.0, 500.0}) {
        const double gain = device::charge_sharing_gain(50, 16, parasitic);
        CHECK(gain == Approx(50 / (50 + parasitic)).epsilon(1e-14));  // N C_int / (N C_int + N C_par)
        CHECK(gain < previous);
        previous = gain;
    }
    config::head_config c = physics_on();
    CHECK(device::charge_sharing_gain(c) == 1.0);  // digital adders share nothing
    c.readout.combine = config::combine_mode::charge_sharing;
    CHECK(device::charge_sharing_gain(c) < 1.0);
    c.lines.share_ff_per_tile = 0;
    CHECK(device::charge_sharing_gain(c) == 1.0);
}
