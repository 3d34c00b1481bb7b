// Gain-cell read model: the current a cell contributes per unit of input pulse, as a function of
// its stored voltage, including leakage. Plain C++ (no SystemC): the hot path and unit-test target.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace gcasim::device {

/// Cell read response. `polynomial` is the cubic fit of the circuit (Leroux et al. 2025);
/// `linear` is the 19.3*y model of the paper's intermediate network.
enum class nonlinearity { polynomial, linear };

/// How leakage acts on a value of age dt, delta = exp(-dt/tau):
/// `voltage`: the stored deviation relaxes toward v_mid, read current P(delta*y);
/// `current`: the read current scales, delta*P(y) (the authors' older reference vectors);
/// `none`: no decay.
enum class leakage_form { none, voltage, current };

/// Arithmetic of the MACs over one-byte DAC codes (sim.precision). `exact`: double moments, the
/// reference numbers. `float32`: per token line an 8-entry float table of P(delta*y) by code, MACs
/// as table lookups and float sums (faster; errors ~1e-6 of a MAC, measured in the unit tests).
enum class mac_precision { exact, float32 };

/// Polynomial coefficients a0..a3 of P(y) = sum a_i y^i, y = V_stored - v_mid, with the read
/// amplitude V_in = 0.9 V folded in (derived from the published 10-term fit c_ij y^i V_in^j).
std::array<double, 4> published_cubic_coefficients();

/// Slope of the linear alternative, P_lin(y) = 19.3*y.
constexpr double linear_slope = 19.3;

/// Mid-rail voltage: y = V_stored - v_mid is the cell's signed deviation (V).
constexpr double v_mid = 0.45;

class cell_model {
public:
    /// polarity +1 or -1 (current direction of the read; the reference data has both).
    cell_model(nonlinearity shape, leakage_form leak, int polarity);

    /// Read current of a cell storing voltage v (V) at leakage factor delta, in MAC units.
    double read(double v_stored, double delta = 1.0) const;

    /// Weights w_i with read(v, delta) = sum_i w_i * y^i: the leakage factor is one number per
    /// stored token, so a MAC over a token line needs these four numbers, not a polynomial per cell.
    std::array<double, 4> term_weights(double delta) const
    {
        std::array<double, 4> w = coefficients_;
        switch (leak_) {
        case leakage_form::none:
            break;
        case leakage_form::current:
            for (double& x : w)
                x *= delta;
            break;
        case leakage_form::voltage:
            w[1] *= delta;
            w[2] *= delta * delta;
            w[3] *= delta * delta * delta;
            break;
        }
        return w;
    }

    /// term_weights of n token lines at once, w[k * n + line] (k = 0..3): the same products, in
    /// loops the compiler vectorises.
    void term_weights(const double* delta, std::size_t n, double* w) const
    {
        for (int k = 0; k < 4; ++k)
            std::fill(w + k * n, w + (k + 1) * n, coefficients_[k]);
        if (leak_ == leakage_form::current)
            for (int k = 0; k < 4; ++k)
                for (std::size_t i = 0; i < n; ++i)
                    w[k * n + i] *= delta[i];
        if (leak_ == leakage_form::voltage)
            for (std::size_t i = 0; i < n; ++i) {
                w[n + i] *= delta[i];
                w[2 * n + i] *= delta[i] * delta[i];
                w[3 * n + i] *= delta[i] * delta[i] * delta[i];
            }
    }

    /// Highest power of y with a non-zero coefficient (1 for linear, 3 for the cubic).
    int degree() const { return degree_; }

    nonlinearity shape() const { return shape_; }
    leakage_form leak() const { return leak_; }

private:
    nonlinearity shape_;
    leakage_form leak_;
    std::array<double, 4> coefficients_;  // polarity included
    int degree_;
};

/// delta = exp(-age/tau); tau <= 0 or infinite means no leakage. Both in the same unit.
double decay_factor(double age, double tau);

}  // namespace gcasim::device
