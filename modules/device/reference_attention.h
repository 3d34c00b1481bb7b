// The attention a head is meant to compute, without the hardware's non-idealities: same cell
// response, HardSigmoid and sub-tile combination, but no leakage, no quantization and no noise.
// The platforms compare their outputs with it (output.reference_error). Plain C++.
#pragma once

#include <cstddef>
#include <vector>

#include "device/cell_model.h"

namespace gcasim::device {

/// The head's numbers that the ideal attention depends on, filled from the config by the platform
/// (no defaults of its own); each comment names the key.
struct reference_head {
    nonlinearity shape{};         ///< cell.nonlinearity
    int polarity{};               ///< cell.polarity
    double s_sat{};               ///< pulse.s_sat
    double scale{};               ///< readout.scale
    bool charge_sharing{};        ///< readout.combine = charge_sharing
    std::size_t window{};         ///< window
    std::size_t array_tokens{};   ///< array.tokens
    std::size_t sub_tiles{};      ///< ceil(window / array.tokens)
    std::size_t dim{};            ///< head_dim
};

/// Output of query t over keys/values of tokens 0..t (rows of `dim` values, row-major),
/// written to out[dim]. `charges` is scratch space.
void reference_output(const reference_head& head, const double* q, const double* k, const double* v,
                      std::size_t t, double* out, std::vector<double>& charges);

}  // namespace gcasim::device
