#include "device/quantizer.h"

#include <cmath>
#include <stdexcept>

namespace gcasim::device {

double round_half_even(double x)
{
    // remainder() is exact and rounds its quotient half to even whatever the rounding mode.
    return x - std::remainder(x, 1.0);
}

quantizer::quantizer(double lo, double hi, int levels)
    : lo_(lo), hi_(hi), step_(0.0), levels_(levels)
{
    if (!(hi > lo))
        throw std::invalid_argument("quantizer range must have hi > lo");
    if (levels == 1 || levels < 0)
        throw std::invalid_argument("quantizer levels must be 0 (off) or >= 2");
    if (levels > 0)
        step_ = (hi - lo) / (levels - 1);
}

long quantizer::steps(double x) const
{
    return static_cast<long>(round_half_even(clamp(x, lo_, hi_) / step_));
}

double quantizer::operator()(double x) const
{
    const double c = clamp(x, lo_, hi_);
    if (levels_ == 0)
        return c;
    return step_ * round_half_even(c / step_);
}

}  // namespace gcasim::device
