// Uniform quantizers of the hardware's three conversions (query pulse widths, DAC writes, readout
// counter). Plain C++.
#pragma once

#include <cmath>

namespace gcasim::device {

/// Clamp helper used by the pulse and readout circuits.
inline double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/// Round half to even, independent of the current floating-point rounding mode. Inline: the
/// quantizers run it a few thousand times per token.
inline double round_half_even(double x)
{
    // Branch-free, so loops over it vectorise. |x| >= 2^52 is already an integer (fraction 0);
    // NaN and infinities fall through every comparison unchanged.
    const double whole = std::trunc(x);
    const double fraction = std::fabs(x - whole);  // exact
    const double half = whole * 0.5;
    // Doubles rather than bools: GCC vectorises the selects, not the bool arithmetic.
    const double odd = std::trunc(half) != half ? 1.0 : 0.0;
    const double away = fraction > 0.5 ? 1.0 : (fraction == 0.5 ? odd : 0.0);
    return (whole + away * std::copysign(1.0, x)) + 0.0;  // + 0.0: -0 becomes +0
}

/// The authors' quantizer: clamp to [lo, hi], step = (hi - lo)/(levels - 1), grid anchored at 0,
/// x_q = step * round_half_even(x / step). `levels == 0` means "no quantization" (clamp only).
class quantizer {
public:
    quantizer(double lo, double hi, int levels);

    double operator()(double x) const { return levels_ == 0 ? clamp(x, lo_, hi_) : step_ * grid_index(x); }

    /// With levels: the index of x's grid point, round_half_even(clamp(x) / step), as a double
    /// (x quantizes to step() * grid_index(x)).
    double grid_index(double x) const { return round_half_even(clamp(x, lo_, hi_) / step_); }

    /// Index of the nearest grid point (after clamping), i.e. round_half_even(x/step).
    long steps(double x) const { return static_cast<long>(grid_index(x)); }

    double step() const { return step_; }
    int levels() const { return levels_; }
    bool enabled() const { return levels_ > 0; }

private:
    double lo_, hi_, step_;
    int levels_;
};



/// HardSigmoid of the charge-to-pulse converter: phi = clamp(S/s_sat, 0, 1), the output pulse
/// width as a fraction of T_max.
inline double hard_sigmoid(double s, double s_sat) { return clamp(s / s_sat, 0.0, 1.0); }

}  // namespace gcasim::device
