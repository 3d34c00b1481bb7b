// Storage and MAC kernels of one gain-cell array, organised by token line (a K-array column or a
// V-array row holds one token). Plain C++: the simulator's hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "device/cell_model.h"

namespace gcasim::device {

class cell_lines {
public:
    /// `lines` token lines of `width` cells each (width = head dimension).
    cell_lines(std::size_t lines, std::size_t width, const cell_model& model);

    /// Store one token's voltages (already through the DAC) in a line.
    void write(std::size_t line, const double* stored_volts);

    /// Voltage currently held by a cell (before leakage).
    double stored(std::size_t line, std::size_t cell) const;

    /// K orientation. Inputs drive the `width` word lines; every enabled token line integrates
    /// out[line] = sum_w in[w] * read(v[line][w], delta[line]). Disabled lines give 0.
    void mac_per_line(const double* in, const double* delta, const std::uint8_t* enabled,
                      double* out) const;

    /// V orientation. Inputs drive the token lines (0 = no pulse); each of the `width` output lines
    /// integrates out[w] = sum_line in[line] * read(v[line][w], delta[line]).
    void mac_per_width(const double* in, const double* delta, double* out) const;

    std::size_t lines() const { return lines_; }
    std::size_t width() const { return width_; }

private:
    // Powers y^1..y^degree of each stored deviation y = v - v_mid, per line contiguous:
    // [line][power-1][cell]. The MAC becomes a few dot products plus one weight per line.
    const double* powers(std::size_t line, int power) const;

    std::size_t lines_, width_;
    cell_model model_;
    int degree_;
    std::vector<double> y_powers_;
};

}  // namespace gcasim::device
