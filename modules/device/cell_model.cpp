#include "device/cell_model.h"

#include <cmath>
#include <stdexcept>

namespace gcasim::device {

std::array<double, 4> published_cubic_coefficients()
{
    // c_ij, i = power of y (0..3), j = power of V_in (0..3-i), j the inner index.
    static const double c[10] = {0.17393044, 0.15653739, 0.14088365, 0.12679529, 5.51975209,
                                 4.96777688, 4.4709992,  -1.44776001, -1.30298401, 46.05483778};
    const double v_in = 0.9;
    std::array<double, 4> a{};
    int k = 0;
    for (int i = 0; i <= 3; ++i)
        for (int j = 0; j <= 3 - i; ++j)
            a[i] += c[k++] * std::pow(v_in, j);
    return a;
}

cell_model::cell_model(nonlinearity shape, leakage_form leak, int polarity)
    : shape_(shape), leak_(leak), coefficients_{}, degree_(1)
{
    if (polarity != 1 && polarity != -1)
        throw std::invalid_argument("cell polarity must be +1 or -1");
    if (shape == nonlinearity::polynomial) {
        coefficients_ = published_cubic_coefficients();
        degree_ = 3;
    } else {
        coefficients_ = {0.0, linear_slope, 0.0, 0.0};
    }
    for (double& a : coefficients_)
        a *= polarity;
}

double cell_model::read(double v_stored, double delta) const
{
    const double y = v_stored - v_mid;
    const std::array<double, 4> w = term_weights(delta);
    return w[0] + y * (w[1] + y * (w[2] + y * w[3]));
}

double decay_factor(double age, double tau)
{
    if (!(tau > 0.0) || std::isinf(tau))
        return 1.0;
    return std::exp(-age / tau);
}

}  // namespace gcasim::device
