#include "device/reference_attention.h"

#include <algorithm>

#include "device/quantizer.h"

namespace gcasim::device {

void reference_output(const reference_head& h, const double* q, const double* k, const double* v, std::size_t t,
                      double* out, std::vector<double>& charges)
{
    const cell_model cell(h.shape, leakage_form::none, h.polarity);
    const std::size_t ring = h.array_tokens * h.sub_tiles;
    charges.assign(h.sub_tiles * h.dim, 0.0);
    const double* query = q + t * h.dim;
    const std::size_t first = t + 1 > h.window ? t + 1 - h.window : 0;
    for (std::size_t s = first; s <= t; ++s) {
        double score = 0.0;
        for (std::size_t d = 0; d < h.dim; ++d)
            score += clamp(query[d], 0.0, 1.0) * cell.read(k[s * h.dim + d]);
        const double phi = hard_sigmoid(score, h.s_sat);
        if (phi == 0.0)
            continue;
        double* tile = &charges[((s % ring) / h.array_tokens) * h.dim];
        for (std::size_t e = 0; e < h.dim; ++e)
            tile[e] += phi * cell.read(v[s * h.dim + e]);
    }
    const double n = static_cast<double>(h.sub_tiles);
    for (std::size_t e = 0; e < h.dim; ++e) {
        double total = 0.0;
        if (h.charge_sharing) {
            for (std::size_t tile = 0; tile < h.sub_tiles; ++tile)
                total += charges[tile * h.dim + e];
            total = n * clamp(total / (h.scale * n), -1.0, 1.0);
        } else {
            for (std::size_t tile = 0; tile < h.sub_tiles; ++tile)
                total += clamp(charges[tile * h.dim + e] / h.scale, -1.0, 1.0);
        }
        out[e] = total;
    }
}

}  // namespace gcasim::device
