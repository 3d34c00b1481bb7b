// Storage and MAC kernels of one gain-cell array, organised by token line (a K-array column or a
// V-array row holds one token). Plain C++: the simulator's hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "device/cell_model.h"

namespace gcasim::device {

/// Whether the exact coded kernels run eight doubles a register (AVX-512, where the processor has
/// it) or four. The results are identical bit for bit; allow_wide_kernels(false) is for the test
/// that checks it.
bool wide_kernels();
void allow_wide_kernels(bool allowed);

class cell_lines {
public:
    /// Memory order of the stored powers y^k. Each MAC is fastest when its inner loop runs over
    /// contiguous memory without a reduction (vectorisable): `by_cell` for mac_per_line (K arrays),
    /// `by_line` for mac_per_width (V arrays). Both orders give the same results up to
    /// rounding (the sums run in a different order).
    enum class storage { by_line, by_cell };

    /// Stored voltages on the uniform grid v = step * k, k = 0..levels-1 (a quantizing DAC without
    /// write noise). Each cell then keeps its code k in one byte instead of its powers y^1..y^degree
    /// (8 bytes each) and the MACs rebuild the powers on the fly with the roundings the stored
    /// powers would have: the same results, arrays 24x smaller, so a whole layer's cells stay in cache.
    struct code_grid {
        double step = 0;
        int levels = 0;  ///< 2..max_code_levels
    };
    static constexpr int max_code_levels = 256;

    /// `lines` token lines of `width` cells each (width = head dimension). With a `grid`, every
    /// write must be on it (a value off the grid throws std::invalid_argument). `precision` float32
    /// takes effect where float_tables() says so; elsewhere the MACs stay exact.
    cell_lines(std::size_t lines, std::size_t width, const cell_model& model, storage order = storage::by_line,
               const code_grid* grid = nullptr, mac_precision precision = mac_precision::exact);

    /// Whether the float32 table kernels can serve cells stored this way: codes on a grid of at most
    /// 8 levels (one 8-entry table per line) in by_line order, without per-cell decay rates.
    static bool float_tables_possible(storage order, const code_grid* grid)
    {
        return grid && grid->levels <= table_entries && order == storage::by_line;
    }
    static constexpr int table_entries = 8;

    /// Cell-to-cell variation: each cell's read current is multiplied by its gain (lines x width,
    /// line-major). Static; call before writing. Leaves code storage (the gains need planes).
    void set_cell_gains(const std::vector<double>& gains);

    /// Spread of retention times: cell (line, w) decays with delta_line^rate (rate = tau/tau_cell),
    /// lines x width, line-major. Switches the MACs to a per-cell (slower) path.
    void set_decay_rates(const std::vector<double>& rates);

    /// Store one token's voltages (already through the DAC) in a line.
    void write(std::size_t line, const double* stored_volts);

    /// With a code grid: store one token's DAC codes (0..levels-1, the voltages step * code) in a
    /// line; what write() does with the DAC's voltages, without finding their codes again.
    void write_codes(std::size_t line, const std::uint8_t* codes);

    /// Voltage currently held by a cell (before leakage).
    double stored(std::size_t line, std::size_t cell) const;

    /// Deviation y = v - v_mid of a cell after leakage `delta_line` of its line (per-cell spread
    /// included): what a refresh senses.
    double decayed_deviation(std::size_t line, std::size_t cell, double delta_line) const;

    /// K orientation. Inputs drive the `width` word lines; every enabled token line integrates
    /// out[line] = sum_w in[w] * read(v[line][w], delta[line]). Disabled lines give 0.
    void mac_per_line(const double* in, const double* delta, const std::uint8_t* enabled, double* out);

    /// V orientation. Inputs drive the token lines (0 = no pulse); each of the `width` output lines
    /// integrates out[w] = sum_line in[line] * read(v[line][w], delta[line]).
    void mac_per_width(const double* in, const double* delta, double* out);

    std::size_t lines() const { return lines_; }
    std::size_t width() const { return width_; }
    /// True while cells are stored as grid codes (see code_grid).
    bool stores_codes() const { return coded_; }
    /// True while the MACs run on the float32 tables (mac_precision::float32 where possible).
    bool float_tables() const { return float_tables_ && coded_ && decay_rate_.empty(); }

private:
    /// Plane k holds gain * y^k (plane 0, the gain itself, only with gains), in the storage order.
    std::size_t index(int power, std::size_t line, std::size_t cell) const
    {
        const std::size_t plane = static_cast<std::size_t>(power - first_plane_) * lines_ * width_;
        return plane + (order_ == storage::by_line ? line * width_ + cell : cell * lines_ + line);
    }
    double cell_read(std::size_t line, std::size_t cell, double delta_line) const;
    /// Storage position of a cell in codes_ (the planes' order).
    std::size_t code_index(std::size_t line, std::size_t cell) const
    {
        return order_ == storage::by_line ? line * width_ + cell : cell * lines_ + line;
    }
    double deviation(std::size_t line, std::size_t cell) const
    {
        if (coded_)
            return written_[line] ? grid_deviation_[codes_[code_index(line, cell)]] : 0.0;
        return has_gains_ ? y_[line * width_ + cell] : powers_[index(1, line, cell)];
    }
    /// gain * y^power of a cell, as stored in the planes or rebuilt from its code.
    double power(int k, std::size_t line, std::size_t cell) const;
    void write_volts_as_codes(std::size_t line, const double* stored_volts);
    void mac_per_line_per_cell(const double* in, const double* delta, const std::uint8_t* enabled, double* out);
    void mac_per_width_per_cell(const double* in, const double* delta, double* out);
    template <int Planes> void dot_lines(const double* in, double* dots) const;
    template <int Planes> void accumulate_width(const double* weights, std::size_t pulsed, double* out) const;
    template <int Degree> void dot_lines_coded(const double* in, double* dots) const;
    template <int Degree> void accumulate_width_coded(const double* weights, std::size_t pulsed, double* out) const;
    void set_up_float_tables();
    /// Runs kernel(tables) with the line tables of this MAC (the leakage factors `delta`).
    template <class Kernel> void with_tables(const double* delta, Kernel&& kernel);
    void mac_per_line_tables(const double* in, const double* delta, const std::uint8_t* enabled, double* out);
    void mac_per_width_tables(const double* in, const double* delta, double* out);

    std::size_t lines_, width_;
    cell_model model_;
    int degree_;
    storage order_;
    bool has_gains_;
    int first_plane_;                 ///< 0 with gains, else 1
    std::vector<double> powers_;      ///< planes first_plane_..degree, see index()
    std::vector<double> y_, gain_;    ///< deviation and gain per cell, line-major (only with gains)
    std::vector<double> decay_rate_;  ///< per cell, empty = every cell decays with its line
    bool coded_ = false;               ///< cells stored as grid codes (codes_), no planes
    code_grid grid_{};
    std::vector<std::uint8_t> codes_;  ///< grid code per cell, in the storage order
    std::vector<std::uint8_t> written_;          ///< per line: written at least once (else y = 0)
    std::vector<double> grid_deviation_;         ///< y = step * k - v_mid per code k
    static constexpr std::size_t block = 8;  ///< lines or outputs accumulated together in registers
    std::vector<double> scratch_;            ///< per-power partial sums or weights of one MAC
    std::vector<double> line_weights_;       ///< term weights w_k of every line, k-major
    std::vector<std::size_t> pulsed_lines_;  ///< lines with a pulse in the current V MAC
    bool float_tables_ = false;              ///< mac_precision::float32 asked and possible
    /// What the float32 tables are built from, per code c: y_c and P(y_c) (P(0) for an unwritten
    /// line), and P's coefficients (polarity included). Entries past the grid's levels are unused.
    struct table_basis {
        float y[table_entries];
        float read[table_entries];
        float read_unwritten[table_entries];
        float a[4];
    } basis_{};
    std::vector<float> line_scales_;         ///< per line: its table's leakage factor this MAC
    std::vector<float> inputs_f_;            ///< the MAC's inputs as floats
    std::vector<float> sums_f_;              ///< the V MAC's float sums
};

}  // namespace gcasim::device
