// The Q, K, V vectors a head receives, one row per token (row-major, tokens x dim). Plain C++.
#pragma once

#include <cstddef>
#include <vector>

namespace gcasim {

struct token_stream {
    std::size_t tokens = 0;
    std::size_t dim = 0;
    std::vector<double> q, k, v;  ///< q in [0,1] (fraction of T_max); k, v in volts

    const double* q_row(std::size_t t) const { return &q[t * dim]; }
    const double* k_row(std::size_t t) const { return &k[t * dim]; }
    const double* v_row(std::size_t t) const { return &v[t * dim]; }
};

}  // namespace gcasim
