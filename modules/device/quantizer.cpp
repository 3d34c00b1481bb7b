#include "device/quantizer.h"

#include <cmath>
#include <stdexcept>

namespace gcasim::device {

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

}  // namespace gcasim::device
