#include "device/cell_lines.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace gcasim::device {

cell_lines::cell_lines(std::size_t lines, std::size_t width, const cell_model& model, storage order)
    : lines_(lines), width_(width), model_(model), degree_(model.degree()), order_(order),
      y_powers_(lines * width * model.degree(), 0.0), scratch_(lines * model.degree(), 0.0),
      pulsed_lines_(lines, 0)
{
    if (lines == 0 || width == 0)
        throw std::invalid_argument("cell_lines needs at least one line and one cell");
    // Unwritten cells hold v_mid (y = 0): zero-initialised powers.
}

void cell_lines::write(std::size_t line, const double* stored_volts)
{
    if (line >= lines_)
        throw std::out_of_range("cell_lines::write: line index out of range");
    for (std::size_t w = 0; w < width_; ++w) {
        const double y = stored_volts[w] - v_mid;
        double p = y;
        for (int k = 1; k <= degree_; ++k) {
            y_powers_[index(k, line, w)] = p;
            p *= y;
        }
    }
}

double cell_lines::stored(std::size_t line, std::size_t cell) const
{
    return y_powers_[index(1, line, cell)] + v_mid;
}

void cell_lines::mac_per_line(const double* in, const double* delta, const std::uint8_t* enabled, double* out)
{
    if (enabled && std::none_of(enabled, enabled + lines_, [](std::uint8_t e) { return e != 0; })) {
        std::fill(out, out + lines_, 0.0);  // nothing visible in this array
        return;
    }
    double in_sum = 0.0;
    for (std::size_t w = 0; w < width_; ++w)
        in_sum += in[w];
    // dot[k][line] = sum_w in[w] * y^k[line][w]
    for (int k = 1; k <= degree_; ++k) {
        double* dot = &scratch_[static_cast<std::size_t>(k - 1) * lines_];
        if (order_ == storage::by_cell) {
            // Blocks of `block` lines accumulate in registers over all word lines (vectorised).
            std::size_t line0 = 0;
            for (; line0 + block <= lines_; line0 += block) {
                double acc[block] = {};
                for (std::size_t w = 0; w < width_; ++w) {
                    const double x = in[w];
                    const double* y = &y_powers_[index(k, line0, w)];
                    for (std::size_t j = 0; j < block; ++j)
                        acc[j] += x * y[j];
                }
                std::copy(acc, acc + block, dot + line0);
            }
            for (std::size_t line = line0; line < lines_; ++line) {
                double acc = 0.0;
                for (std::size_t w = 0; w < width_; ++w)
                    acc += in[w] * y_powers_[index(k, line, w)];
                dot[line] = acc;
            }
        } else {
            for (std::size_t line = 0; line < lines_; ++line) {
                const double* y = &y_powers_[index(k, line, 0)];
                double acc = 0.0;
                for (std::size_t w = 0; w < width_; ++w)
                    acc += in[w] * y[w];
                dot[line] = acc;
            }
        }
    }
    for (std::size_t line = 0; line < lines_; ++line) {
        if (enabled && !enabled[line]) {
            out[line] = 0.0;
            continue;
        }
        const std::array<double, 4> weight = model_.term_weights(delta[line]);
        double acc = weight[0] * in_sum;
        for (int k = 1; k <= degree_; ++k)
            acc += weight[k] * scratch_[static_cast<std::size_t>(k - 1) * lines_ + line];
        out[line] = acc;
    }
}

void cell_lines::mac_per_width(const double* in, const double* delta, double* out)
{
    // Per pulsed line, the weight of each power: g[k][line] = in[line] * w_k(delta[line]).
    double offset = 0.0;
    std::size_t pulsed = 0;
    for (std::size_t line = 0; line < lines_; ++line) {
        if (in[line] == 0.0)
            continue;  // no pulse on this word line: no charge
        const std::array<double, 4> weight = model_.term_weights(delta[line]);
        offset += in[line] * weight[0];
        pulsed_lines_[pulsed] = line;
        for (int k = 1; k <= degree_; ++k)
            scratch_[static_cast<std::size_t>(k - 1) * lines_ + pulsed] = in[line] * weight[k];
        ++pulsed;
    }
    for (std::size_t w = 0; w < width_; ++w)
        out[w] = offset;
    for (int k = 1; k <= degree_; ++k) {
        const double* g = &scratch_[static_cast<std::size_t>(k - 1) * lines_];
        if (order_ == storage::by_line) {
            // Blocks of `block` outputs accumulate in registers over the pulsed lines (vectorised).
            std::size_t w0 = 0;
            for (; w0 + block <= width_; w0 += block) {
                double acc[block] = {};
                for (std::size_t i = 0; i < pulsed; ++i) {
                    const double* y = &y_powers_[index(k, pulsed_lines_[i], w0)];
                    for (std::size_t j = 0; j < block; ++j)
                        acc[j] += g[i] * y[j];
                }
                for (std::size_t j = 0; j < block; ++j)
                    out[w0 + j] += acc[j];
            }
            for (std::size_t w = w0; w < width_; ++w)
                for (std::size_t i = 0; i < pulsed; ++i)
                    out[w] += g[i] * y_powers_[index(k, pulsed_lines_[i], w)];
        } else {
            for (std::size_t w = 0; w < width_; ++w)
                for (std::size_t i = 0; i < pulsed; ++i)
                    out[w] += g[i] * y_powers_[index(k, pulsed_lines_[i], w)];
        }
    }
}

}  // namespace gcasim::device
