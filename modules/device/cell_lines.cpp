#include "device/cell_lines.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#if defined(__AVX__) && defined(__SSE4_1__)
#include <immintrin.h>
#endif

namespace gcasim::device {

namespace {

// Four doubles as one value (GCC/Clang vector extension): one AVX register where the processor has
// them, two SSE registers elsewhere. Each lane is computed exactly as the scalar expression would.
typedef double vec4 __attribute__((vector_size(32)));

inline vec4 load4(const double* p)
{
    vec4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void store4(double* p, const vec4& v)
{
    std::memcpy(p, &v, sizeof v);
}

/// Four one-byte codes as four doubles.
inline vec4 codes_to_doubles(const std::uint8_t* codes)
{
#if defined(__AVX__) && defined(__SSE4_1__)
    // One zero-extension and one conversion; the generic version below compiles to byte-by-byte
    // extraction.
    std::int32_t bits;
    std::memcpy(&bits, codes, sizeof bits);
    const __m256d v = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bits)));
    vec4 out;
    std::memcpy(&out, &v, sizeof out);
    return out;
#else
    return vec4{double(codes[0]), double(codes[1]), double(codes[2]), double(codes[3])};
#endif
}

/// y = step * k - v_mid of four cells from their codes k, rounded exactly as write() rounds
/// stored_volts - v_mid where the DAC produced stored_volts = step * k.
inline vec4 grid_deviation4(const std::uint8_t* codes, const vec4& step, const vec4& mid)
{
    vec4 v = codes_to_doubles(codes) * step;
    // Round the product on its own: a fused multiply-add into v - mid would differ in the last bit.
#if defined(__AVX__)
    __asm__("" : "+x"(v));
#else
    __asm__("" : "+m"(v));
#endif
    return v - mid;
}

inline vec4 splat4(double x)
{
    return vec4{x, x, x, x};
}

}  // namespace

cell_lines::cell_lines(std::size_t lines, std::size_t width, const cell_model& model, storage order,
                       const code_grid* grid, mac_precision precision)
    : lines_(lines), width_(width), model_(model), degree_(model.degree()), order_(order), has_gains_(false),
      first_plane_(1), powers_(), y_(), gain_(), decay_rate_(), scratch_(lines * (model.degree() + 1), 0.0),
      line_weights_(4 * lines, 0.0), pulsed_lines_(lines, 0)
{
    if (lines == 0 || width == 0)
        throw std::invalid_argument("cell_lines needs at least one line and one cell");
    // Unwritten cells hold v_mid (y = 0) with unit gain.
    if (!grid) {
        powers_.assign(lines * width * degree_, 0.0);
        return;
    }
    if (grid->levels < 2 || grid->levels > max_code_levels || !(grid->step > 0) || !std::isfinite(grid->step))
        throw std::invalid_argument("cell_lines: a code grid needs 2..256 levels and a positive step");
    coded_ = true;
    grid_ = *grid;
    codes_.assign(lines * width, 0);
    written_.assign(lines, 0);
    for (int k = 0; k < grid_.levels; ++k) {
        const volatile double v = grid_.step * k;  // rounded as the DAC rounds it (no fused step*k - v_mid)
        grid_deviation_.push_back(v - v_mid);
    }
    if (precision == mac_precision::float32 && float_tables_possible(order, grid)) {
        float_tables_ = true;
        table_y_.assign(table_entries, 0.0);
        std::copy(grid_deviation_.begin(), grid_deviation_.end(), table_y_.begin());
        inputs_f_.assign(std::max(lines, width), 0.0f);
    }
}

void cell_lines::set_cell_gains(const std::vector<double>& gains)
{
    if (gains.size() != lines_ * width_)
        throw std::invalid_argument("cell_lines::set_cell_gains: expected lines x width gains");
    y_.resize(lines_ * width_);
    for (std::size_t line = 0; line < lines_; ++line)
        for (std::size_t w = 0; w < width_; ++w)
            y_[line * width_ + w] = deviation(line, w);
    gain_ = gains;
    has_gains_ = true;
    coded_ = false;  // the gains live in the planes
    codes_ = {};
    written_ = {};
    first_plane_ = 0;
    powers_.assign(lines_ * width_ * (degree_ + 1), 0.0);
    for (std::size_t line = 0; line < lines_; ++line)
        for (std::size_t w = 0; w < width_; ++w) {
            double p = gain_[line * width_ + w];
            for (int k = 0; k <= degree_; ++k, p *= y_[line * width_ + w])
                powers_[index(k, line, w)] = p;
        }
}

void cell_lines::set_decay_rates(const std::vector<double>& rates)
{
    if (rates.size() != lines_ * width_)
        throw std::invalid_argument("cell_lines::set_decay_rates: expected lines x width rates");
    decay_rate_ = rates;
}

void cell_lines::write(std::size_t line, const double* stored_volts)
{
    if (line >= lines_)
        throw std::out_of_range("cell_lines::write: line index out of range");
    if (coded_)
        return write_codes(line, stored_volts);
    for (std::size_t w = 0; w < width_; ++w) {
        const double y = stored_volts[w] - v_mid;
        double p = 1.0;
        if (has_gains_) {
            y_[line * width_ + w] = y;
            p = gain_[line * width_ + w];
        }
        for (int k = first_plane_; k <= degree_; ++k) {
            if (k > 0)
                p *= y;
            powers_[index(k, line, w)] = p;
        }
    }
}

void cell_lines::write_codes(std::size_t line, const double* stored_volts)
{
    for (std::size_t w = 0; w < width_; ++w) {
        const double v = stored_volts[w];
        const double k = std::nearbyint(v / grid_.step);
        if (!(k >= 0 && k < grid_.levels && grid_.step * k == v))
            throw std::invalid_argument("cell_lines::write: " + std::to_string(v) +
                                        " V is not on the DAC grid of this array");
        codes_[code_index(line, w)] = static_cast<std::uint8_t>(k);
    }
    written_[line] = 1;
}

double cell_lines::power(int k, std::size_t line, std::size_t cell) const
{
    if (!coded_)
        return powers_[index(k, line, cell)];
    // The same products write() stores in the planes: y, y*y, (y*y)*y.
    const double y = deviation(line, cell);
    double p = y;
    for (int i = 1; i < k; ++i)
        p *= y;
    return p;
}

double cell_lines::stored(std::size_t line, std::size_t cell) const
{
    return deviation(line, cell) + v_mid;
}

double cell_lines::decayed_deviation(std::size_t line, std::size_t cell, double delta_line) const
{
    const double delta = decay_rate_.empty() ? delta_line : std::pow(delta_line, decay_rate_[line * width_ + cell]);
    return delta * deviation(line, cell);
}

double cell_lines::cell_read(std::size_t line, std::size_t cell, double delta_line) const
{
    const std::size_t i = line * width_ + cell;
    const double delta = std::pow(delta_line, decay_rate_[i]);
    const std::array<double, 4> w = model_.term_weights(delta);
    const double y = deviation(line, cell);
    return (has_gains_ ? gain_[i] : 1.0) * (w[0] + y * (w[1] + y * (w[2] + y * w[3])));
}

void cell_lines::mac_per_line_per_cell(const double* in, const double* delta, const std::uint8_t* enabled,
                                       double* out)
{
    for (std::size_t line = 0; line < lines_; ++line) {
        double acc = 0.0;
        if (!enabled || enabled[line])
            for (std::size_t w = 0; w < width_; ++w)
                acc += in[w] * cell_read(line, w, delta[line]);
        out[line] = acc;
    }
}

void cell_lines::mac_per_width_per_cell(const double* in, const double* delta, double* out)
{
    std::fill(out, out + width_, 0.0);
    for (std::size_t line = 0; line < lines_; ++line)
        if (in[line] != 0.0)
            for (std::size_t w = 0; w < width_; ++w)
                out[w] += in[line] * cell_read(line, w, delta[line]);
}

void cell_lines::mac_per_line(const double* in, const double* delta, const std::uint8_t* enabled, double* out)
{
    if (enabled && std::none_of(enabled, enabled + lines_, [](std::uint8_t e) { return e != 0; })) {
        std::fill(out, out + lines_, 0.0);  // nothing visible in this array
        return;
    }
    if (!decay_rate_.empty())
        return mac_per_line_per_cell(in, delta, enabled, out);
    if (float_tables())
        return mac_per_line_tables(in, delta, enabled, out);
    double in_sum = 0.0;
    for (std::size_t w = 0; w < width_; ++w)
        in_sum += in[w];
    // dot[k][line] = sum_w in[w] * gain * y^k[line][w]; k = 0 only needed with gains.
    const int first = has_gains_ ? 0 : 1;
    const int planes = degree_ - first + 1;
    double* dots = &scratch_[static_cast<std::size_t>(first) * lines_];
    if (order_ == storage::by_cell && coded_) {
        switch (degree_) {
        case 1: dot_lines_coded<1>(in, dots); break;
        case 2: dot_lines_coded<2>(in, dots); break;
        default: dot_lines_coded<3>(in, dots); break;
        }
    } else if (order_ == storage::by_cell) {
        switch (planes) {
        case 1: dot_lines<1>(in, dots); break;
        case 2: dot_lines<2>(in, dots); break;
        case 3: dot_lines<3>(in, dots); break;
        default: dot_lines<4>(in, dots); break;
        }
    } else {
        for (int k = first; k <= degree_; ++k)
            for (std::size_t line = 0; line < lines_; ++line) {
                double acc = 0.0;
                for (std::size_t w = 0; w < width_; ++w)
                    acc += in[w] * power(k, line, w);
                scratch_[static_cast<std::size_t>(k) * lines_ + line] = acc;
            }
    }
    // out = w0 * (sum of inputs, or dot[0] with gains) + sum_k w_k * dot[k], one line per lane.
    double* w = line_weights_.data();
    model_.term_weights(delta, lines_, w);
    const double* dot0 = has_gains_ ? &scratch_[0] : nullptr;
    for (std::size_t line = 0; line < lines_; ++line)
        out[line] = w[line] * (dot0 ? dot0[line] : in_sum);
    for (int k = 1; k <= degree_; ++k) {
        const double* wk = w + k * lines_;
        const double* dk = &scratch_[static_cast<std::size_t>(k) * lines_];
        for (std::size_t line = 0; line < lines_; ++line)
            out[line] += wk[line] * dk[line];
    }
    if (enabled)
        for (std::size_t line = 0; line < lines_; ++line)
            out[line] = enabled[line] ? out[line] : 0.0;
}

void cell_lines::mac_per_width(const double* in, const double* delta, double* out)
{
    if (!decay_rate_.empty())
        return mac_per_width_per_cell(in, delta, out);
    if (float_tables())
        return mac_per_width_tables(in, delta, out);
    // The weight of each power per line, g[k][line] = in[line] * w_k(delta[line]), and the list of
    // pulsed lines (the kernels skip the others: no pulse, no charge).
    double* g = line_weights_.data();
    model_.term_weights(delta, lines_, g);
    double offset = 0.0;  // the k = 0 term, when every gain is 1
    std::size_t pulsed = 0;
    for (std::size_t line = 0; line < lines_; ++line)
        if (in[line] != 0.0) {
            offset += in[line] * g[line];
            pulsed_lines_[pulsed++] = line;
        }
    for (int k = 0; k <= degree_; ++k)
        for (std::size_t line = 0; line < lines_; ++line)
            g[k * lines_ + line] *= in[line];
    std::fill(out, out + width_, has_gains_ ? 0.0 : offset);
    const int first = has_gains_ ? 0 : 1;
    const int planes = degree_ - first + 1;
    const double* weights = g + first * lines_;
    if (order_ == storage::by_line && coded_) {
        switch (degree_) {
        case 1: accumulate_width_coded<1>(weights, pulsed, out); break;
        case 2: accumulate_width_coded<2>(weights, pulsed, out); break;
        default: accumulate_width_coded<3>(weights, pulsed, out); break;
        }
        return;
    }
    if (order_ == storage::by_line) {
        switch (planes) {
        case 1: accumulate_width<1>(weights, pulsed, out); break;
        case 2: accumulate_width<2>(weights, pulsed, out); break;
        case 3: accumulate_width<3>(weights, pulsed, out); break;
        default: accumulate_width<4>(weights, pulsed, out); break;
        }
        return;
    }
    for (int k = first; k <= degree_; ++k)
        for (std::size_t w = 0; w < width_; ++w)
            for (std::size_t i = 0; i < pulsed; ++i)
                out[w] += g[k * lines_ + pulsed_lines_[i]] * power(k, pulsed_lines_[i], w);
}

template <int Planes> void cell_lines::dot_lines(const double* in, double* dots) const
{
    // by_cell: for each word line w the planes hold `lines_` contiguous values. Blocks of 8 lines
    // accumulate every plane in registers over all word lines.
    const std::size_t plane = lines_ * width_;
    const double* base = &powers_[0];
    std::size_t line0 = 0;
    for (; line0 + block <= lines_; line0 += block) {
        vec4 acc[Planes][2] = {};
        for (std::size_t w = 0; w < width_; ++w) {
            const double x = in[w];
            const double* y = base + w * lines_ + line0;
            for (int p = 0; p < Planes; ++p) {
                acc[p][0] += x * load4(y + p * plane);
                acc[p][1] += x * load4(y + p * plane + 4);
            }
        }
        for (int p = 0; p < Planes; ++p) {
            store4(dots + p * lines_ + line0, acc[p][0]);
            store4(dots + p * lines_ + line0 + 4, acc[p][1]);
        }
    }
    for (std::size_t line = line0; line < lines_; ++line)
        for (int p = 0; p < Planes; ++p) {
            double acc = 0.0;
            for (std::size_t w = 0; w < width_; ++w)
                acc += in[w] * base[p * plane + w * lines_ + line];
            dots[p * lines_ + line] = acc;
        }
}

template <int Planes> void cell_lines::accumulate_width(const double* weights, std::size_t pulsed, double* out) const
{
    // by_line: each token line holds `width_` contiguous values per plane. Blocks of 8 outputs
    // accumulate over the pulsed lines in registers.
    const std::size_t plane = lines_ * width_;
    const double* base = &powers_[0];
    std::size_t w0 = 0;
    for (; w0 + block <= width_; w0 += block) {
        vec4 acc0 = {}, acc1 = {};
        for (std::size_t i = 0; i < pulsed; ++i) {
            const double* y = base + pulsed_lines_[i] * width_ + w0;
            for (int p = 0; p < Planes; ++p) {
                const double g = weights[p * lines_ + pulsed_lines_[i]];
                acc0 += g * load4(y + p * plane);
                acc1 += g * load4(y + p * plane + 4);
            }
        }
        store4(out + w0, load4(out + w0) + acc0);
        store4(out + w0 + 4, load4(out + w0 + 4) + acc1);
    }
    for (std::size_t w = w0; w < width_; ++w)
        for (std::size_t i = 0; i < pulsed; ++i)
            for (int p = 0; p < Planes; ++p)
                out[w] += weights[p * lines_ + pulsed_lines_[i]] * base[p * plane + pulsed_lines_[i] * width_ + w];
}

template <int Degree> void cell_lines::dot_lines_coded(const double* in, double* dots) const
{
    // dot_lines with the powers rebuilt from the codes (same products, same order of the sums).
    const vec4 step = splat4(grid_.step), mid = splat4(v_mid);
    std::size_t line0 = 0;
    for (; line0 + block <= lines_; line0 += block) {
        vec4 acc[Degree][2] = {};
        for (std::size_t w = 0; w < width_; ++w) {
            const double x = in[w];
            const std::uint8_t* codes = &codes_[w * lines_ + line0];
            for (int h = 0; h < 2; ++h) {
                const vec4 y = grid_deviation4(codes + 4 * h, step, mid);
                vec4 p = y;
                for (int k = 0; k < Degree; ++k) {
                    acc[k][h] += x * p;
                    if (k + 1 < Degree)
                        p *= y;
                }
            }
        }
        for (int k = 0; k < Degree; ++k) {
            store4(dots + k * lines_ + line0, acc[k][0]);
            store4(dots + k * lines_ + line0 + 4, acc[k][1]);
        }
    }
    for (std::size_t line = line0; line < lines_; ++line)
        for (int k = 0; k < Degree; ++k) {
            double acc = 0.0;
            for (std::size_t w = 0; w < width_; ++w)
                acc += in[w] * power(k + 1, line, w);
            dots[k * lines_ + line] = acc;
        }
    for (std::size_t line = 0; line < lines_; ++line)
        if (!written_[line])  // y = 0 in every cell, whatever its code
            for (int k = 0; k < Degree; ++k)
                dots[k * lines_ + line] = 0.0;
}

template <int Degree>
void cell_lines::accumulate_width_coded(const double* weights, std::size_t pulsed, double* out) const
{
    // accumulate_width with the powers rebuilt from the codes. Unwritten lines (y = 0) add nothing.
    const vec4 step = splat4(grid_.step), mid = splat4(v_mid);
    std::size_t w0 = 0;
    for (; w0 + block <= width_; w0 += block) {
        vec4 acc0 = {}, acc1 = {};
        for (std::size_t i = 0; i < pulsed; ++i) {
            const std::size_t line = pulsed_lines_[i];
            if (!written_[line])
                continue;
            const std::uint8_t* codes = &codes_[line * width_ + w0];
            const vec4 y0 = grid_deviation4(codes, step, mid), y1 = grid_deviation4(codes + 4, step, mid);
            vec4 p0 = y0, p1 = y1;
            for (int k = 0; k < Degree; ++k) {
                const double g = weights[k * lines_ + line];
                acc0 += g * p0;
                acc1 += g * p1;
                if (k + 1 < Degree) {
                    p0 *= y0;
                    p1 *= y1;
                }
            }
        }
        store4(out + w0, load4(out + w0) + acc0);
        store4(out + w0 + 4, load4(out + w0 + 4) + acc1);
    }
    for (std::size_t w = w0; w < width_; ++w)
        for (std::size_t i = 0; i < pulsed; ++i)
            if (written_[pulsed_lines_[i]]) {
                const double y = deviation(pulsed_lines_[i], w);
                double p = y;
                for (int k = 0; k < Degree; ++k) {
                    out[w] += weights[k * lines_ + pulsed_lines_[i]] * p;
                    p *= y;
                }
            }
}

namespace {

/// One line's table, float(scale * P(delta*y_c)) for the 8 codes c, P(delta*y) = w0 + w1*y + w2*y^2 +
/// w3*y^3 (Horner, in double) from its term weights w[k * stride]; y: the 8 codes' deviations.
inline void line_table(const double* y, const double* w, std::size_t stride, double scale, float* table)
{
    for (int c = 0; c < cell_lines::table_entries; ++c)
        table[c] = static_cast<float>(scale * (w[0] + y[c] * (w[stride] + y[c] * (w[2 * stride] + y[c] * w[3 * stride]))));
}

#if defined(__AVX2__) && defined(__FMA__)
/// line_table in two 4-wide halves, kept in a register.
inline __m256 line_table8(const __m256d y_lo, const __m256d y_hi, const double* w, std::size_t stride, double scale)
{
    const __m256d w0 = _mm256_broadcast_sd(w), w1 = _mm256_broadcast_sd(w + stride),
                  w2 = _mm256_broadcast_sd(w + 2 * stride), w3 = _mm256_broadcast_sd(w + 3 * stride),
                  s = _mm256_set1_pd(scale);
    const __m256d lo = _mm256_fmadd_pd(y_lo, _mm256_fmadd_pd(y_lo, _mm256_fmadd_pd(y_lo, w3, w2), w1), w0);
    const __m256d hi = _mm256_fmadd_pd(y_hi, _mm256_fmadd_pd(y_hi, _mm256_fmadd_pd(y_hi, w3, w2), w1), w0);
    return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_mul_pd(hi, s)), _mm256_cvtpd_ps(_mm256_mul_pd(lo, s)));
}

/// Eight codes as the permutation indices of a table.
inline __m256i codes8(const std::uint8_t* codes)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes)));
}

inline float horizontal_sum(const __m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/// The K MAC's inputs, Blocks blocks of 8 held in registers: dot() of one line's table and codes.
template <std::size_t Blocks> struct register_inputs {
    __m256 x[Blocks];
    explicit register_inputs(const float* in)
    {
        for (std::size_t b = 0; b < Blocks; ++b)
            x[b] = _mm256_loadu_ps(in + 8 * b);
    }
    double dot(const __m256 t, const std::uint8_t* codes) const
    {
        __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};  // two chains: the FMA latency
        for (std::size_t b = 0; b < Blocks; ++b)
            acc[b % 2] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(t, codes8(codes + 8 * b)), x[b], acc[b % 2]);
        return horizontal_sum(_mm256_add_ps(acc[0], acc[1]));
    }
};
#endif

}  // namespace

void cell_lines::mac_per_line_tables(const double* in, const double* delta, const std::uint8_t* enabled, double* out)
{
    // out[line] = sum_w in[w] * P(delta_line * y[line][w]): one table per line, one lookup per cell.
    float* x = inputs_f_.data();
    for (std::size_t w = 0; w < width_; ++w)
        x[w] = static_cast<float>(in[w]);
    double* w = line_weights_.data();
    model_.term_weights(delta, lines_, w);
    static const double zeros[table_entries] = {};
    auto for_enabled_lines = [&](auto&& dot_line) {
        for (std::size_t line = 0; line < lines_; ++line) {
            if (enabled && !enabled[line]) {
                out[line] = 0.0;
                continue;
            }
            const double* y = written_[line] ? table_y_.data() : zeros;  // unwritten: y = 0 whatever the code
            out[line] = dot_line(line, y, &codes_[line * width_]);
        }
    };
#if defined(__AVX2__) && defined(__FMA__)
    auto table8 = [&](std::size_t line, const double* y) {
        return line_table8(_mm256_loadu_pd(y), _mm256_loadu_pd(y + 4), w + line, lines_, 1.0);
    };
    if (width_ == 64) {  // the paper's head dimension: the inputs stay in registers
        register_inputs<8> inputs(x);
        for_enabled_lines([&](std::size_t line, const double* y, const std::uint8_t* codes) {
            return inputs.dot(table8(line, y), codes);
        });
        return;
    }
    for_enabled_lines([&](std::size_t line, const double* y, const std::uint8_t* codes) {
        const __m256 t = table8(line, y);
        __m256 acc = _mm256_setzero_ps();
        std::size_t i = 0;
        for (; i + 8 <= width_; i += 8)
            acc = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(t, codes8(codes + i)), _mm256_loadu_ps(x + i), acc);
        float sum = horizontal_sum(acc);
        alignas(32) float table[table_entries];
        _mm256_store_ps(table, t);
        for (; i < width_; ++i)
            sum += x[i] * table[codes[i]];
        return static_cast<double>(sum);
    });
#else
    for_enabled_lines([&](std::size_t line, const double* y, const std::uint8_t* codes) {
        float table[table_entries];
        line_table(y, w + line, lines_, 1.0, table);
        float sum = 0.0f;
        for (std::size_t i = 0; i < width_; ++i)
            sum += x[i] * table[codes[i]];
        return static_cast<double>(sum);
    });
#endif
}

void cell_lines::mac_per_width_tables(const double* in, const double* delta, double* out)
{
    // out[w] = sum over pulsed lines of in[line] * P(delta_line * y[line][w]): the pulse folded into
    // the line's table, one lookup and one add per cell; lines without a pulse are skipped.
    float* acc = inputs_f_.data();
    std::fill(acc, acc + width_, 0.0f);
    double* w = line_weights_.data();
    model_.term_weights(delta, lines_, w);
    static const double zeros[table_entries] = {};
    auto for_pulsed_lines = [&](auto&& add_line) {
        for (std::size_t line = 0; line < lines_; ++line)
            if (in[line] != 0.0)
                add_line(line, written_[line] ? table_y_.data() : zeros, &codes_[line * width_]);
    };
#if defined(__AVX2__) && defined(__FMA__)
    auto table8 = [&](std::size_t line, const double* y) {
        return line_table8(_mm256_loadu_pd(y), _mm256_loadu_pd(y + 4), w + line, lines_, in[line]);
    };
    if (width_ == 64) {  // the paper's head dimension: the 64 sums stay in registers
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (std::size_t line = 0; line < lines_; ++line) {
            if (in[line] == 0.0)
                continue;
            const __m256 t = table8(line, written_[line] ? table_y_.data() : zeros);
            const std::uint8_t* codes = &codes_[line * width_];
            a0 = _mm256_add_ps(a0, _mm256_permutevar8x32_ps(t, codes8(codes)));
            a1 = _mm256_add_ps(a1, _mm256_permutevar8x32_ps(t, codes8(codes + 8)));
            a2 = _mm256_add_ps(a2, _mm256_permutevar8x32_ps(t, codes8(codes + 16)));
            a3 = _mm256_add_ps(a3, _mm256_permutevar8x32_ps(t, codes8(codes + 24)));
            a4 = _mm256_add_ps(a4, _mm256_permutevar8x32_ps(t, codes8(codes + 32)));
            a5 = _mm256_add_ps(a5, _mm256_permutevar8x32_ps(t, codes8(codes + 40)));
            a6 = _mm256_add_ps(a6, _mm256_permutevar8x32_ps(t, codes8(codes + 48)));
            a7 = _mm256_add_ps(a7, _mm256_permutevar8x32_ps(t, codes8(codes + 56)));
        }
        const __m256 sums[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        for (int b = 0; b < 8; ++b)
            _mm256_storeu_ps(acc + 8 * b, sums[b]);
    } else {
        for_pulsed_lines([&](std::size_t line, const double* y, const std::uint8_t* codes) {
            const __m256 t = table8(line, y);
            std::size_t i = 0;
            for (; i + 8 <= width_; i += 8)
                _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_permutevar8x32_ps(t, codes8(codes + i))));
            alignas(32) float table[table_entries];
            _mm256_store_ps(table, t);
            for (; i < width_; ++i)
                acc[i] += table[codes[i]];
        });
    }
#else
    for_pulsed_lines([&](std::size_t line, const double* y, const std::uint8_t* codes) {
        float table[table_entries];
        line_table(y, w + line, lines_, in[line], table);
        for (std::size_t i = 0; i < width_; ++i)
            acc[i] += table[codes[i]];
    });
#endif
    for (std::size_t i = 0; i < width_; ++i)
        out[i] = acc[i];
}

}  // namespace gcasim::device
