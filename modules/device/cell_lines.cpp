#include "device/cell_lines.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace gcasim::device {

cell_lines::cell_lines(std::size_t lines, std::size_t width, const cell_model& model)
    : lines_(lines), width_(width), model_(model), degree_(model.degree()),
      y_powers_(lines * width * model.degree(), 0.0)
{
    if (lines == 0 || width == 0)
        throw std::invalid_argument("cell_lines needs at least one line and one cell");
    // Unwritten cells hold v_mid (y = 0): zero-initialised powers.
}

const double* cell_lines::powers(std::size_t line, int power) const
{
    return &y_powers_[(line * degree_ + (power - 1)) * width_];
}

void cell_lines::write(std::size_t line, const double* stored_volts)
{
    if (line >= lines_)
        throw std::out_of_range("cell_lines::write: line index out of range");
    double* base = &y_powers_[line * degree_ * width_];
    for (std::size_t w = 0; w < width_; ++w) {
        const double y = stored_volts[w] - v_mid;
        double p = y;
        for (int k = 0; k < degree_; ++k) {
            base[k * width_ + w] = p;
            p *= y;
        }
    }
}

double cell_lines::stored(std::size_t line, std::size_t cell) const
{
    return powers(line, 1)[cell] + v_mid;
}

void cell_lines::mac_per_line(const double* in, const double* delta, const std::uint8_t* enabled,
                              double* out) const
{
    double in_sum = 0.0;
    for (std::size_t w = 0; w < width_; ++w)
        in_sum += in[w];
    for (std::size_t line = 0; line < lines_; ++line) {
        if (enabled && !enabled[line]) {
            out[line] = 0.0;
            continue;
        }
        const std::array<double, 4> weight = model_.term_weights(delta[line]);
        double acc = weight[0] * in_sum;
        for (int k = 1; k <= degree_; ++k) {
            const double* y = powers(line, k);
            double dot = 0.0;
            for (std::size_t w = 0; w < width_; ++w)
                dot += in[w] * y[w];
            acc += weight[k] * dot;
        }
        out[line] = acc;
    }
}

void cell_lines::mac_per_width(const double* in, const double* delta, double* out) const
{
    std::fill(out, out + width_, 0.0);
    double offset = 0.0;
    for (std::size_t line = 0; line < lines_; ++line) {
        if (in[line] == 0.0)
            continue;  // no pulse on this word line: no charge
        const std::array<double, 4> weight = model_.term_weights(delta[line]);
        offset += in[line] * weight[0];
        for (int k = 1; k <= degree_; ++k) {
            const double g = in[line] * weight[k];
            const double* y = powers(line, k);
            for (std::size_t w = 0; w < width_; ++w)
                out[w] += g * y[w];
        }
    }
    for (std::size_t w = 0; w < width_; ++w)
        out[w] += offset;
}

}  // namespace gcasim::device
