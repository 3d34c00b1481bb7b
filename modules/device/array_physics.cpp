#include "device/array_physics.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gcasim::device {

namespace {

constexpr double ohm_ff_in_ns = 1e-6;  // 1 ohm * 1 fF = 1e-15 s

void require_cells(int cells, const char* what)
{
    if (cells < 1)
        throw std::invalid_argument(std::string(what) + ": a line needs at least one cell, got " +
                                    std::to_string(cells));
}

}  // namespace

double elmore_tau_ns(double driver_ohm, double r_ohm_per_cell, double ff_per_cell, int cells)
{
    require_cells(cells, "elmore_tau_ns");
    const double n = cells;
    return (driver_ohm * n * ff_per_cell + 0.5 * r_ohm_per_cell * ff_per_cell * n * n) * ohm_ff_in_ns;
}

double half_lsb_settle_ns(double tau_ns, int levels)
{
    if (levels < 1)
        throw std::invalid_argument("half_lsb_settle_ns: levels must be >= 1, got " + std::to_string(levels));
    return tau_ns * std::log(2.0 * levels);
}

double line_settle_ns(const line_rc& lines, int tokens, int head_dim, int read_levels, int write_levels,
                      array_side side, line_access access)
{
    if (access == line_access::write)
        return half_lsb_settle_ns(elmore_tau_ns(lines.driver_ohm, lines.r_ohm_per_cell, lines.bl_ff_per_cell, tokens),
                                  write_levels);
    const int word_line_cells = side == array_side::k ? tokens : head_dim;
    const int bit_line_cells = side == array_side::k ? head_dim : tokens;
    const double tau = elmore_tau_ns(lines.driver_ohm, lines.r_ohm_per_cell, lines.wl_ff_per_cell, word_line_cells) +
                       elmore_tau_ns(lines.driver_ohm, lines.r_ohm_per_cell, lines.bl_ff_per_cell, bit_line_cells);
    return half_lsb_settle_ns(tau, read_levels);
}

double full_read_ohm(const cell_model& model, double read_v, double read_current_na)
{
    const double full_scale = std::abs(model.read(2 * v_mid) - model.read(0.0));  // MAC units
    const double amps = read_current_na * 1e-9 * full_scale;
    return amps > 0 ? read_v / amps : std::numeric_limits<double>::infinity();
}

std::vector<double> bit_line_gains(int cells, double r_ohm_per_cell, double cell_ohm)
{
    require_cells(cells, "bit_line_gains");
    // Node k (cell k, 1-based here) at voltage u_k (in units of V); node 0 is the sense end at 0.
    // KCL times r: (u_{k-1} - u_k) + (u_{k+1} - u_k) + a (1 - u_k) = 0, a = r / R_cell; the last
    // node has no right neighbour. Thomas algorithm on -u_{k-1} + b_k u_k - u_{k+1} = a.
    const double a = r_ohm_per_cell / cell_ohm;  // 0 with an infinite cell resistance
    const std::size_t n = static_cast<std::size_t>(cells);
    std::vector<double> c_prime(n), d_prime(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double b = (k + 1 < n ? 2.0 : 1.0) + a;
        const double below = k == 0 ? 0.0 : -1.0;  // coupling to the previous node (node 0 is ground)
        const double denom = b - below * (k == 0 ? 0.0 : c_prime[k - 1]);
        c_prime[k] = -1.0 / denom;
        d_prime[k] = (a - below * (k == 0 ? 0.0 : d_prime[k - 1])) / denom;
    }
    std::vector<double> gains(n);
    double u_next = 0.0;
    for (std::size_t k = n; k-- > 0;) {
        const double u = d_prime[k] - (k + 1 < n ? c_prime[k] * u_next : 0.0);
        gains[k] = 1.0 - u;
        u_next = u;
    }
    return gains;
}

double charge_sharing_gain(double integrator_ff, int sub_tiles, double share_ff_per_tile)
{
    if (sub_tiles < 1)
        throw std::invalid_argument("charge_sharing_gain: sub_tiles must be >= 1, got " + std::to_string(sub_tiles));
    const double shared = sub_tiles * integrator_ff;
    const double parasitic = sub_tiles * share_ff_per_tile;
    if (parasitic == 0.0)
        return 1.0;
    return shared / (shared + parasitic);
}

}  // namespace gcasim::device
