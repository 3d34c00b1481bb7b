// The attention a head is meant to compute, without the hardware's non-idealities: same cell
// response, HardSigmoid and sub-tile combination, but no leakage, no quantization and no noise.
// The platforms compare their outputs with it (output.reference_error). Plain C++.
#pragma once

#include <cstddef>
#include <vector>

#include "device/cell_model.h"

namespace gcasim::device {

struct reference_head {
    nonlinearity shape = nonlinearity::polynomial;
    int polarity = 1;
    double s_sat = 80.0;
    double scale = 40.0;
    bool charge_sharing = false;
    std::size_t window = 1024;
    std::size_t tile_tokens = 64;
    std::size_t sub_tiles = 16;
    std::size_t dim = 64;
};

/// Output of query t over keys/values of tokens 0..t (rows of `dim` values, row-major),
/// written to out[dim]. `charges` is scratch space.
void reference_output(const reference_head& head, const double* q, const double* k, const double* v,
                      std::size_t t, double* out, std::vector<double>& charges);

}  // namespace gcasim::device
