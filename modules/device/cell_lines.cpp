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
#include <atomic>
#if defined(__x86_64__) && defined(__GNUC__) && defined(__AVX2__)
#define GCASIM_WIDE_KERNELS 1
#else
#define GCASIM_WIDE_KERNELS 0
#endif

namespace gcasim::device {

namespace {
std::atomic<bool> wide_kernels_allowed{true};
}  // namespace

bool wide_kernels()
{
#if GCASIM_WIDE_KERNELS
    static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                                  __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
    return supported && wide_kernels_allowed.load(std::memory_order_relaxed);
#else
    return false;
#endif
}

void allow_wide_kernels(bool allowed)
{
    wide_kernels_allowed.store(allowed, std::memory_order_relaxed);
}

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
        set_up_float_tables();
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
        return write_volts_as_codes(line, stored_volts);
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

void cell_lines::write_codes(std::size_t line, const std::uint8_t* codes)
{
    if (line >= lines_)
        throw std::out_of_range("cell_lines::write_codes: line index out of range");
    if (!coded_)
        throw std::logic_error("cell_lines::write_codes: the cells are not stored as grid codes");
    std::uint8_t highest = 0;
    for (std::size_t w = 0; w < width_; ++w)
        highest = std::max(highest, codes[w]);
    if (highest >= grid_.levels)
        throw std::invalid_argument("cell_lines::write_codes: code " + std::to_string(highest) +
                                    " is not below the grid's " + std::to_string(grid_.levels) + " levels");
    if (order_ == storage::by_line)
        std::copy_n(codes, width_, &codes_[line * width_]);
    else
        for (std::size_t w = 0; w < width_; ++w)
            codes_[code_index(line, w)] = codes[w];
    written_[line] = 1;
}

void cell_lines::write_volts_as_codes(std::size_t line, const double* stored_volts)
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
    if (std::all_of(in, in + lines_, [](double x) { return x == 0.0; })) {
        std::fill(out, out + width_, 0.0);  // no pulse, no charge (every path below gives +0 too)
        return;
    }
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
    std::size_t* pulsed_lines = pulsed_lines_.data();  // locals: the stores alias no member
    const std::size_t lines = lines_;
    for (std::size_t line = 0; line < lines; ++line)
        if (in[line] != 0.0) {
            offset += in[line] * g[line];
            pulsed_lines[pulsed++] = line;
        }
    const int first = has_gains_ ? 0 : 1;  // without gains the k = 0 weights are in the offset
    for (int k = first; k <= degree_; ++k)
        for (std::size_t line = 0; line < lines; ++line)
            g[k * lines + line] *= in[line];
    std::fill(out, out + width_, has_gains_ ? 0.0 : offset);
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

namespace {

/// One pass of dot_lines_coded over the 4 * Vectors lines from line0 (by_cell codes): the moments
/// dots[k][line] = sum_w in[w] * y^(k+1), every input loaded once for all of them.
template <int Degree, int Vectors>
void dot_lines_pass(const std::uint8_t* codes, std::size_t lines, std::size_t width, const double* in, double step_v,
                    std::size_t line0, double* dots)
{
    const vec4 step = splat4(step_v), mid = splat4(v_mid);
    vec4 acc[Degree][Vectors] = {};
    for (std::size_t w = 0; w < width; ++w) {
        const double x = in[w];
        const std::uint8_t* cell_codes = codes + w * lines + line0;
        for (int v = 0; v < Vectors; ++v) {
            const vec4 y = grid_deviation4(cell_codes + 4 * v, step, mid);
            vec4 p = y;
            for (int k = 0; k < Degree; ++k) {
                acc[k][v] += x * p;
                if (k + 1 < Degree)
                    p *= y;
            }
        }
    }
    for (int k = 0; k < Degree; ++k)
        for (int v = 0; v < Vectors; ++v)
            store4(dots + k * lines + line0 + 4 * v, acc[k][v]);
}

#if GCASIM_WIDE_KERNELS
// The same passes eight doubles a register, for processors with AVX-512 (chosen at run time: the
// build targets x86-64-v3). Every lane does what the four-wide passes do, in the same order, so
// the results are identical bit for bit (tests/unit/test_device_math.cpp checks it).
#define GCASIM_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw")))
typedef double vec8 __attribute__((vector_size(64)));

GCASIM_AVX512 inline vec8 splat8(double x)
{
    return vec8{x, x, x, x, x, x, x, x};
}

GCASIM_AVX512 inline vec8 grid_deviation8(const std::uint8_t* codes, const vec8& step, const vec8& mid)
{
    std::int64_t bits;
    std::memcpy(&bits, codes, sizeof bits);
    // The masked form of the conversion: the plain one trips GCC 12's maybe-uninitialized warning.
    const __m512d d = _mm512_maskz_cvtepi32_pd(0xff, _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(bits)));
    vec8 v;
    std::memcpy(&v, &d, sizeof v);
    v *= step;
    __asm__("" : "+v"(v));  // the product rounded on its own, as in grid_deviation4
    return v - mid;
}

template <int Degree, int Vectors>
GCASIM_AVX512 void dot_lines_pass8(const std::uint8_t* codes, std::size_t lines, std::size_t width, const double* in,
                                   double step_v, std::size_t line0, double* dots)
{
    const vec8 step = splat8(step_v), mid = splat8(v_mid);
    vec8 acc[Degree][Vectors] = {};
    for (std::size_t w = 0; w < width; ++w) {
        const double x = in[w];
        const std::uint8_t* cell_codes = codes + w * lines + line0;
        for (int v = 0; v < Vectors; ++v) {
            const vec8 y = grid_deviation8(cell_codes + 8 * v, step, mid);
            vec8 p = y;
            for (int k = 0; k < Degree; ++k) {
                acc[k][v] += x * p;
                if (k + 1 < Degree)
                    p *= y;
            }
        }
    }
    for (int k = 0; k < Degree; ++k)
        for (int v = 0; v < Vectors; ++v)
            std::memcpy(dots + k * lines + line0 + 8 * v, &acc[k][v], sizeof(vec8));
}

/// dot_lines_coded's passes of 32 and 8 lines; returns the first line left to the four-wide ones.
template <int Degree>
GCASIM_AVX512 std::size_t dot_lines_wide(const std::uint8_t* codes, std::size_t lines, std::size_t width,
                                         const double* in, double step, double* dots)
{
    std::size_t line0 = 0;
    for (; line0 + 32 <= lines; line0 += 32)
        dot_lines_pass8<Degree, 4>(codes, lines, width, in, step, line0, dots);
    for (; line0 + 8 <= lines; line0 += 8)
        dot_lines_pass8<Degree, 1>(codes, lines, width, in, step, line0, dots);
    return line0;
}

template <int Degree, int Vectors>
GCASIM_AVX512 void accumulate_width_pass8(const std::uint8_t* codes, std::size_t width, std::size_t lines,
                                          const std::uint8_t* written, const std::size_t* pulsed_lines,
                                          std::size_t pulsed, const double* weights, double step_v, std::size_t w0,
                                          double* out)
{
    const vec8 step = splat8(step_v), mid = splat8(v_mid);
    vec8 acc[Vectors] = {};
    for (std::size_t i = 0; i < pulsed; ++i) {
        const std::size_t line = pulsed_lines[i];
        if (!written[line])
            continue;
        const std::uint8_t* line_codes = codes + line * width + w0;
        vec8 y[Vectors], p[Vectors];
        for (int v = 0; v < Vectors; ++v)
            p[v] = y[v] = grid_deviation8(line_codes + 8 * v, step, mid);
        for (int k = 0; k < Degree; ++k) {
            const double g = weights[k * lines + line];
            for (int v = 0; v < Vectors; ++v)
                acc[v] += g * p[v];
            if (k + 1 < Degree)
                for (int v = 0; v < Vectors; ++v)
                    p[v] *= y[v];
        }
    }
    for (int v = 0; v < Vectors; ++v) {
        vec8 sum;
        std::memcpy(&sum, out + w0 + 8 * v, sizeof sum);
        sum += acc[v];
        std::memcpy(out + w0 + 8 * v, &sum, sizeof sum);
    }
}

/// accumulate_width_coded's passes of 32 and 8 outputs; returns the first output left.
template <int Degree>
GCASIM_AVX512 std::size_t accumulate_width_wide(const std::uint8_t* codes, std::size_t width, std::size_t lines,
                                                const std::uint8_t* written, const std::size_t* pulsed_lines,
                                                std::size_t pulsed, const double* weights, double step, double* out)
{
    std::size_t w0 = 0;
    for (; w0 + 32 <= width; w0 += 32)
        accumulate_width_pass8<Degree, 4>(codes, width, lines, written, pulsed_lines, pulsed, weights, step, w0, out);
    for (; w0 + 8 <= width; w0 += 8)
        accumulate_width_pass8<Degree, 1>(codes, width, lines, written, pulsed_lines, pulsed, weights, step, w0, out);
    return w0;
}
#undef GCASIM_AVX512
#endif

}  // namespace

template <int Degree> void cell_lines::dot_lines_coded(const double* in, double* dots) const
{
    // dot_lines with the powers rebuilt from the codes (same products, same order of the sums),
    // 16 lines a pass, then 8 (32, then 8, with AVX-512).
    std::size_t line0 = 0;
#if GCASIM_WIDE_KERNELS
    if (wide_kernels())
        line0 = dot_lines_wide<Degree>(codes_.data(), lines_, width_, in, grid_.step, dots);
#endif
    for (; line0 + 2 * block <= lines_; line0 += 2 * block)
        dot_lines_pass<Degree, 4>(codes_.data(), lines_, width_, in, grid_.step, line0, dots);
    for (; line0 + block <= lines_; line0 += block)
        dot_lines_pass<Degree, 2>(codes_.data(), lines_, width_, in, grid_.step, line0, dots);
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

namespace {

/// One pass of accumulate_width_coded over 4 * Vectors outputs from w0: each pulsed, written line
/// adds sum_k weight_k * y^k to them (its weights loaded once for all of them).
template <int Degree, int Vectors>
void accumulate_width_pass(const std::uint8_t* codes, std::size_t width, std::size_t lines, const std::uint8_t* written,
                           const std::size_t* pulsed_lines, std::size_t pulsed, const double* weights, double step_v,
                           std::size_t w0, double* out)
{
    const vec4 step = splat4(step_v), mid = splat4(v_mid);
    vec4 acc[Vectors] = {};
    for (std::size_t i = 0; i < pulsed; ++i) {
        const std::size_t line = pulsed_lines[i];
        if (!written[line])
            continue;
        const std::uint8_t* line_codes = codes + line * width + w0;
        vec4 y[Vectors], p[Vectors];
        for (int v = 0; v < Vectors; ++v)
            p[v] = y[v] = grid_deviation4(line_codes + 4 * v, step, mid);
        for (int k = 0; k < Degree; ++k) {
            const double g = weights[k * lines + line];
            for (int v = 0; v < Vectors; ++v)
                acc[v] += g * p[v];
            if (k + 1 < Degree)
                for (int v = 0; v < Vectors; ++v)
                    p[v] *= y[v];
        }
    }
    for (int v = 0; v < Vectors; ++v)
        store4(out + w0 + 4 * v, load4(out + w0 + 4 * v) + acc[v]);
}

}  // namespace

template <int Degree>
void cell_lines::accumulate_width_coded(const double* weights, std::size_t pulsed, double* out) const
{
    // accumulate_width with the powers rebuilt from the codes, 16 outputs a pass, then 8: every
    // output's sum in the same order. Unwritten lines (y = 0) add nothing.
    const std::uint8_t* written = written_.data();
    const std::size_t* lines = pulsed_lines_.data();
    std::size_t w0 = 0;
#if GCASIM_WIDE_KERNELS
    if (wide_kernels())
        w0 = accumulate_width_wide<Degree>(codes_.data(), width_, lines_, written, lines, pulsed, weights, grid_.step, out);
#endif
    for (; w0 + 2 * block <= width_; w0 += 2 * block)
        accumulate_width_pass<Degree, 4>(codes_.data(), width_, lines_, written, lines, pulsed, weights, grid_.step, w0, out);
    for (; w0 + block <= width_; w0 += block)
        accumulate_width_pass<Degree, 2>(codes_.data(), width_, lines_, written, lines, pulsed, weights, grid_.step, w0, out);
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

/// The table of one line: its 8 entries as floats, P(s * y_c) (voltage-form leakage, s = the line's
/// delta) or s * P(y_c) (current form, no leakage), Horner in float from the basis of the array.
#if defined(__AVX2__) && defined(__FMA__)
struct voltage_tables {
    const float* scale;  ///< delta per line, 0 for an unwritten line (y = 0 whatever its codes)
    __m256 y, a0, a1, a2, a3;
    __m256 operator()(std::size_t line) const
    {
        const __m256 z = _mm256_mul_ps(_mm256_broadcast_ss(scale + line), y);
        return _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(a3, z, a2), z, a1), z, a0);
    }
};

struct scaled_tables {
    const float* scale;             ///< delta per line (1 without leakage)
    const std::uint8_t* written;    ///< per line
    __m256 read, read_unwritten;    ///< P(y_c), and P(0) for every code
    __m256 operator()(std::size_t line) const
    {
        return _mm256_mul_ps(_mm256_broadcast_ss(scale + line), written[line] ? read : read_unwritten);
    }
};

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

/// Lane i: the sum of the lanes of v[i] (8 horizontal sums in 9 instructions instead of 48).
inline __m256 horizontal_sums8(const __m256 v[8])
{
    const __m256 s01 = _mm256_hadd_ps(v[0], v[1]), s23 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 s45 = _mm256_hadd_ps(v[4], v[5]), s67 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 s0123 = _mm256_hadd_ps(s01, s23), s4567 = _mm256_hadd_ps(s45, s67);  // halves by 128-bit lane
    return _mm256_add_ps(_mm256_permute2f128_ps(s0123, s4567, 0x20), _mm256_permute2f128_ps(s0123, s4567, 0x31));
}

/// sum_w x[w] * t[codes[w]] of one line, 8 x Blocks cells, lane by lane (one chain: the MAC runs 8
/// lines side by side).
template <std::size_t Blocks> inline __m256 dot_line(const __m256 t, const float* x, const std::uint8_t* codes)
{
    __m256 acc = _mm256_mul_ps(_mm256_permutevar8x32_ps(t, codes8(codes)), _mm256_loadu_ps(x));
    for (std::size_t b = 1; b < Blocks; ++b)
        acc = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(t, codes8(codes + 8 * b)), _mm256_loadu_ps(x + 8 * b), acc);
    return acc;
}

/// The K MAC at width 8 x Blocks: out[line] = sum_w x[w] * table_line[codes[line][w]] for enabled
/// lines, 0 elsewhere; 8 lines at a time, their sums taken together.
template <std::size_t Blocks, class Tables>
void dot_lines_tables(const Tables& table, const float* x, const std::uint8_t* codes, const std::uint8_t* enabled,
                      std::size_t lines, double* out)
{
    constexpr std::size_t width = 8 * Blocks;
    std::size_t line0 = 0;
    for (; line0 + 8 <= lines; line0 += 8) {
        std::uint64_t any_enabled = 1;
        if (enabled)
            std::memcpy(&any_enabled, enabled + line0, sizeof any_enabled);
        if (!any_enabled) {
            std::fill(out + line0, out + line0 + 8, 0.0);
            continue;
        }
        __m256 acc[8];
        for (std::size_t i = 0; i < 8; ++i)
            acc[i] = dot_line<Blocks>(table(line0 + i), x, codes + (line0 + i) * width);
        const __m256 sums = horizontal_sums8(acc);
        _mm256_storeu_pd(out + line0, _mm256_cvtps_pd(_mm256_castps256_ps128(sums)));
        _mm256_storeu_pd(out + line0 + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(sums, 1)));
    }
    for (; line0 < lines; ++line0)
        out[line0] = horizontal_sum(dot_line<Blocks>(table(line0), x, codes + line0 * width));
    if (enabled)
        for (std::size_t line = 0; line < lines; ++line)
            if (!enabled[line])
                out[line] = 0.0;
}

/// The K MAC at any width: blocks of 8 cells, then the rest one by one.
template <class Tables>
void dot_lines_tables(const Tables& table, const float* x, const std::uint8_t* codes, const std::uint8_t* enabled,
                      std::size_t lines, std::size_t width, double* out)
{
    for (std::size_t line = 0; line < lines; ++line) {
        if (enabled && !enabled[line]) {
            out[line] = 0.0;
            continue;
        }
        const __m256 t = table(line);
        const std::uint8_t* line_codes = codes + line * width;
        __m256 acc = _mm256_setzero_ps();
        std::size_t i = 0;
        for (; i + 8 <= width; i += 8)
            acc = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(t, codes8(line_codes + i)), _mm256_loadu_ps(x + i), acc);
        float sum = horizontal_sum(acc);
        alignas(32) float entries[cell_lines::table_entries];
        _mm256_store_ps(entries, t);
        for (; i < width; ++i)
            sum += x[i] * entries[line_codes[i]];
        out[line] = sum;
    }
}

/// The V MAC: sums[w] = sum over pulsed lines of pulse[line] * table_line[codes[line][w]]; lines
/// without a pulse are skipped. At width 64 the 64 sums stay in registers.
template <class Tables>
void accumulate_width_tables(const Tables& table, const float* pulse, const std::uint8_t* codes, std::size_t lines,
                             std::size_t width, float* sums)
{
    auto pulsed_table = [&](std::size_t line) { return _mm256_mul_ps(table(line), _mm256_broadcast_ss(pulse + line)); };
    if (width == 64) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (std::size_t line = 0; line < lines; ++line) {
            if (pulse[line] == 0.0f)
                continue;
            const __m256 t = pulsed_table(line);
            const std::uint8_t* c = codes + line * 64;
            a0 = _mm256_add_ps(a0, _mm256_permutevar8x32_ps(t, codes8(c)));
            a1 = _mm256_add_ps(a1, _mm256_permutevar8x32_ps(t, codes8(c + 8)));
            a2 = _mm256_add_ps(a2, _mm256_permutevar8x32_ps(t, codes8(c + 16)));
            a3 = _mm256_add_ps(a3, _mm256_permutevar8x32_ps(t, codes8(c + 24)));
            a4 = _mm256_add_ps(a4, _mm256_permutevar8x32_ps(t, codes8(c + 32)));
            a5 = _mm256_add_ps(a5, _mm256_permutevar8x32_ps(t, codes8(c + 40)));
            a6 = _mm256_add_ps(a6, _mm256_permutevar8x32_ps(t, codes8(c + 48)));
            a7 = _mm256_add_ps(a7, _mm256_permutevar8x32_ps(t, codes8(c + 56)));
        }
        const __m256 all[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        for (int b = 0; b < 8; ++b)
            _mm256_storeu_ps(sums + 8 * b, all[b]);
        return;
    }
    std::fill(sums, sums + width, 0.0f);
    for (std::size_t line = 0; line < lines; ++line) {
        if (pulse[line] == 0.0f)
            continue;
        const __m256 t = pulsed_table(line);
        const std::uint8_t* line_codes = codes + line * width;
        std::size_t i = 0;
        for (; i + 8 <= width; i += 8)
            _mm256_storeu_ps(sums + i, _mm256_add_ps(_mm256_loadu_ps(sums + i),
                                                     _mm256_permutevar8x32_ps(t, codes8(line_codes + i))));
        alignas(32) float entries[cell_lines::table_entries];
        _mm256_store_ps(entries, t);
        for (; i < width; ++i)
            sums[i] += entries[line_codes[i]];
    }
}
#else
/// Without AVX2: the same tables entry by entry.
struct voltage_tables {
    const float* scale;
    const float *y, *a;
    float entry(std::size_t line, int c) const
    {
        const float z = scale[line] * y[c];
        return std::fma(std::fma(std::fma(a[3], z, a[2]), z, a[1]), z, a[0]);
    }
};

struct scaled_tables {
    const float* scale;
    const std::uint8_t* written;
    const float *read, *read_unwritten;
    float entry(std::size_t line, int c) const { return scale[line] * (written[line] ? read : read_unwritten)[c]; }
};

template <class Tables>
void dot_lines_tables(const Tables& table, const float* x, const std::uint8_t* codes, const std::uint8_t* enabled,
                      std::size_t lines, std::size_t width, double* out)
{
    for (std::size_t line = 0; line < lines; ++line) {
        float sum = 0.0f;
        if (!enabled || enabled[line]) {
            float t[cell_lines::table_entries];
            for (int c = 0; c < cell_lines::table_entries; ++c)
                t[c] = table.entry(line, c);
            for (std::size_t i = 0; i < width; ++i)
                sum += x[i] * t[codes[line * width + i]];
        }
        out[line] = sum;
    }
}

template <class Tables>
void accumulate_width_tables(const Tables& table, const float* pulse, const std::uint8_t* codes, std::size_t lines,
                             std::size_t width, float* sums)
{
    std::fill(sums, sums + width, 0.0f);
    for (std::size_t line = 0; line < lines; ++line) {
        if (pulse[line] == 0.0f)
            continue;
        float t[cell_lines::table_entries];
        for (int c = 0; c < cell_lines::table_entries; ++c)
            t[c] = table.entry(line, c) * pulse[line];
        for (std::size_t i = 0; i < width; ++i)
            sums[i] += t[codes[line * width + i]];
    }
}
#endif

}  // namespace

void cell_lines::set_up_float_tables()
{
    // Padding entries (codes >= levels) are never looked up.
    const std::array<double, 4> a = model_.term_weights(1.0);
    for (int c = 0; c < grid_.levels; ++c) {
        const double y = grid_deviation_[static_cast<std::size_t>(c)];
        basis_.y[c] = static_cast<float>(y);
        basis_.read[c] = static_cast<float>(a[0] + y * (a[1] + y * (a[2] + y * a[3])));
    }
    for (int k = 0; k < 4; ++k)
        basis_.a[k] = static_cast<float>(a[static_cast<std::size_t>(k)]);
    std::fill(std::begin(basis_.read_unwritten), std::end(basis_.read_unwritten), basis_.a[0]);
    line_scales_.assign(lines_, 1.0f);
    inputs_f_.assign(std::max(lines_, width_), 0.0f);
    sums_f_.assign(width_, 0.0f);
}

template <class Kernel> void cell_lines::with_tables(const double* delta, Kernel&& kernel)
{
    // The scale of each line's table: its delta (voltage form: 0 where unwritten, so y = 0).
    float* scale = line_scales_.data();
    switch (model_.leak()) {
    case leakage_form::voltage:
        for (std::size_t line = 0; line < lines_; ++line)
            scale[line] = written_[line] ? static_cast<float>(delta[line]) : 0.0f;
        break;
    case leakage_form::current:
        for (std::size_t line = 0; line < lines_; ++line)
            scale[line] = static_cast<float>(delta[line]);
        break;
    case leakage_form::none:
        break;  // every scale stays 1
    }
#if defined(__AVX2__) && defined(__FMA__)
    if (model_.leak() == leakage_form::voltage)
        kernel(voltage_tables{scale, _mm256_loadu_ps(basis_.y), _mm256_set1_ps(basis_.a[0]),
                              _mm256_set1_ps(basis_.a[1]), _mm256_set1_ps(basis_.a[2]), _mm256_set1_ps(basis_.a[3])});
    else
        kernel(scaled_tables{scale, written_.data(), _mm256_loadu_ps(basis_.read),
                             _mm256_loadu_ps(basis_.read_unwritten)});
#else
    if (model_.leak() == leakage_form::voltage)
        kernel(voltage_tables{scale, basis_.y, basis_.a});
    else
        kernel(scaled_tables{scale, written_.data(), basis_.read, basis_.read_unwritten});
#endif
}

void cell_lines::mac_per_line_tables(const double* in, const double* delta, const std::uint8_t* enabled, double* out)
{
    // out[line] = sum_w in[w] * P(delta_line * y[line][w]): one table per line, one lookup per cell.
    float* x = inputs_f_.data();
    for (std::size_t w = 0; w < width_; ++w)
        x[w] = static_cast<float>(in[w]);
    with_tables(delta, [&](const auto& tables) {
#if defined(__AVX2__) && defined(__FMA__)
        if (width_ == 64)  // the paper's head dimension
            return dot_lines_tables<8>(tables, x, codes_.data(), enabled, lines_, out);
#endif
        dot_lines_tables(tables, x, codes_.data(), enabled, lines_, width_, out);
    });
}

void cell_lines::mac_per_width_tables(const double* in, const double* delta, double* out)
{
    // out[w] = sum over pulsed lines of in[line] * P(delta_line * y[line][w]): the pulse folded into
    // the line's table, one lookup and one add per cell; lines without a pulse are skipped.
    float* pulse = inputs_f_.data();
    for (std::size_t line = 0; line < lines_; ++line)
        pulse[line] = static_cast<float>(in[line]);
    float* sums = sums_f_.data();
    with_tables(delta, [&](const auto& tables) {
        accumulate_width_tables(tables, pulse, codes_.data(), lines_, width_, sums);
    });
    for (std::size_t i = 0; i < width_; ++i)
        out[i] = sums[i];
}

}  // namespace gcasim::device
