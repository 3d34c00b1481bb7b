#include "gain_cell_array.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "analog_payload.h"
#include "device/array_physics.h"
#include "util/compute_pool.h"
#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;

namespace {

/// Where every stored value is a DAC grid point (quantized, noiseless writes, no per-cell gains),
/// the cells keep one-byte codes: the same numbers in 1/24 of the memory.
std::optional<device::cell_lines::code_grid> code_grid_of(const gain_cell_array::params& p,
                                                          const device::quantizer& dac)
{
    if (!dac.enabled() || dac.levels() > device::cell_lines::max_code_levels || p.dac_sigma > 0 ||
        p.cell_variation > 0 || !p.bit_line_gains.empty())
        return std::nullopt;
    return device::cell_lines::code_grid{dac.step(), dac.levels()};
}

/// Memory order of the cells: each exact MAC runs over contiguous cells (K arrays by cell, V arrays
/// by line); the float32 tables need a token line's codes contiguous in both orientations.
device::cell_lines::storage storage_of(const gain_cell_array::params& p,
                                       const std::optional<device::cell_lines::code_grid>& grid)
{
    using storage = device::cell_lines::storage;
    if (p.layout == gain_cell_array::orientation::token_per_row)
        return storage::by_line;
    const bool tables = p.precision == device::mac_precision::float32 &&
                        device::cell_lines::float_tables_possible(storage::by_line, grid ? &*grid : nullptr);
    return tables ? storage::by_line : storage::by_cell;
}

/// The array's parameters, checked against what the block can be (util/param_check.h).
const gain_cell_array::params& checked(const gain_cell_array::params& p, const sc_module& self)
{
    require_param(p.tokens >= 1, self, "array.tokens", p.tokens, "must be >= 1");
    require_param(p.width >= 1, self, "head_dim", p.width, "must be >= 1");
    require_param(p.model.leak() == device::leakage_form::none || p.tau > SC_ZERO_TIME, self,
                  "cell.leakage.tau_ns", p.tau, "must be > 0 with leakage");
    require_param(p.v_max > 0, self, "cell.v_max", p.v_max, "must be > 0");
    require_param(p.kv_levels == 0 || p.kv_levels >= 2, self, "quant.kv_levels", p.kv_levels,
                  "must be >= 2, or 0 for an ideal DAC");
    const std::size_t bit_line_cells = p.layout == gain_cell_array::orientation::token_per_column ? p.width : p.tokens;
    require_param(p.bit_line_gains.empty() || p.bit_line_gains.size() == bit_line_cells, self,
                  "lines.physics (bit-line gains per cell)", p.bit_line_gains.size(),
                  "must be one per cell of a bit line (K: head_dim, V: array.tokens)");
    for (const auto& [key, value] : {std::pair{"noise.cell_variation", p.cell_variation},
                                     {"noise.tau_spread", p.tau_spread}, {"noise.read_sigma", p.read_sigma},
                                     {"noise.dac_sigma", p.dac_sigma}, {"cell.read_v", p.read_v},
                                     {"V x cell.read_current_na x pulse.t_max_ns", p.read_unit_aj},
                                     {"lines.wl_ff_per_cell", p.wl_ff_per_cell},
                                     {"lines.bl_ff_per_cell", p.bl_ff_per_cell},
                                     {"dac.level_fj x (quant.kv_levels - 1)", p.dac_conversion_aj},
                                     {"cell.storage_ff", p.storage_ff},
                                     {"process.leakage_uw_per_mm2 (cells)", p.cells_static_uw},
                                     {"process.leakage_uw_per_mm2 (DACs)", p.dacs_static_uw}})
        require_param(value >= 0, self, key, value, "must be >= 0");
    return p;
}

/// How many of n line flags are set (non-zero).
std::size_t count_set(const std::uint8_t* flags, std::size_t n)
{
    std::size_t unset = 0, i = 0;
#if defined(__AVX2__)
    for (; i + 32 <= n; i += 32) {
        const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(flags + i));
        unset += static_cast<std::size_t>(__builtin_popcount(
            static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, _mm256_setzero_si256())))));
    }
#endif
    for (; i < n; ++i)
        unset += flags[i] == 0;
    return n - unset;
}

/// x[0] + x[1] + ... in this order: the energies are sums rounded to attojoules, so the order of
/// the additions is part of the results.
double ordered_sum(const double* x, std::size_t n)
{
    double sum = 0;
    const double* end8 = x + n / 8 * 8;
    for (; x != end8; x += 8)
        sum = (((((((sum + x[0]) + x[1]) + x[2]) + x[3]) + x[4]) + x[5]) + x[6]) + x[7];
    for (; x != end8 + n % 8; ++x)
        sum += *x;
    return sum;
}

/// A MAC's inputs: their ordered sum (its read energy) and how many carry a pulse (driven lines).
struct input_totals {
    double sum = 0;
    std::size_t driven = 0;
};

input_totals totals_of(const double* x, std::size_t n)
{
    input_totals t{ordered_sum(x, n), 0};
    std::size_t i = 0;
#if defined(__AVX2__)
    __m256i driven = _mm256_setzero_si256();  // minus one per pulse, by lane
    for (; i + 4 <= n; i += 4)
        driven = _mm256_add_epi64(driven, _mm256_castpd_si256(_mm256_cmp_pd(_mm256_loadu_pd(x + i), _mm256_setzero_pd(), _CMP_GT_OQ)));
    alignas(32) std::int64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), driven);
    t.driven = static_cast<std::size_t>(-(lanes[0] + lanes[1] + lanes[2] + lanes[3]));
#endif
    for (; i < n; ++i)
        t.driven += x[i] > 0;
    return t;
}

/// A noiseless quantizing DAC on one line, in place: each value's voltage step * code, and its code.
/// False (the line unchanged) where a value has no code (not a number).
bool quantize_line(const device::quantizer& dac, std::size_t n, double* __restrict volts, std::uint8_t* __restrict codes)
{
    const device::quantizer q = dac;  // a local copy: no aliasing with the outputs
    bool numbers = true;
    for (std::size_t i = 0; i < n; ++i)
        numbers &= volts[i] == volts[i];
    if (!numbers)
        return false;
    for (std::size_t i = 0; i < n; ++i)
        volts[i] = q.grid_index(volts[i]);  // the codes as doubles, first
    for (std::size_t i = 0; i < n; ++i) {
        codes[i] = static_cast<std::uint8_t>(static_cast<std::int32_t>(volts[i]));
        volts[i] *= q.step();
    }
    return true;
}

/// Sums of v and v^2 over the stored voltages (negative ones count 0), in order (the write energy).
std::pair<double, double> voltage_sums(const double* volts, std::size_t n)
{
    double sum_v = 0, sum_v2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = std::max(0.0, volts[i]);
        sum_v += v;
        sum_v2 += v * v;
    }
    return {sum_v, sum_v2};
}

}  // namespace

gain_cell_array::gain_cell_array(const sc_module_name& name, const params& p)
    : sc_module(name), write_socket("write_socket"), mac_socket("mac_socket"), params_(checked(p, *this)),
      dac_(0.0, p.v_max, p.kv_levels), grid_(code_grid_of(p, dac_)),
      cells_(p.tokens, p.width, p.model, storage_of(p, grid_), grid_ ? &*grid_ : nullptr, p.precision),
      written_at_(p.tokens, SC_ZERO_TIME),
      written_factor_(p.tokens, 1.0), decay_ref_(SC_ZERO_TIME), decay_(p.tokens, 1.0), tau_s_(p.tau.to_seconds()),
      stored_(p.width, 0.0), stored_codes_(p.width, 0),
      write_noise_(device::derive_seed(p.seed, 1)), read_noise_(device::derive_seed(p.seed, 2)),
      current_(device::cell_current_range(p.model)), events_(), energy_()
{
    const std::size_t cells = p.tokens * p.width;
    set_cell_gains();
    if (p.tau_spread > 0 && p.model.leak() != device::leakage_form::none) {
        device::splitmix64 rng(device::derive_seed(p.seed, 4));
        std::vector<double> rates(cells);  // tau / tau_cell with ln(tau_cell / tau) ~ N(0, spread)
        for (double& r : rates)
            r = std::exp(-p.tau_spread * rng.normal());
        cells_.set_decay_rates(rates);
    }
    write_socket.register_b_transport(this, &gain_cell_array::write_transport);
    mac_socket.register_b_transport(this, &gain_cell_array::mac_transport);
}

void gain_cell_array::set_cell_gains()
{
    const params& p = params_;
    if (p.cell_variation == 0 && p.bit_line_gains.empty())
        return;  // every gain 1: the faster kernels without gain planes
    std::vector<double> gains(p.tokens * p.width, 1.0);  // line-major
    if (p.cell_variation > 0) {
        device::splitmix64 rng(device::derive_seed(p.seed, 3));
        for (double& g : gains)
            g = 1.0 + p.cell_variation * rng.normal();
    }
    if (!p.bit_line_gains.empty()) {
        // K: a token line is a bit line, its cells by position; V: a token line is one position
        // on every bit line.
        const bool per_column = p.layout == orientation::token_per_column;
        for (std::size_t line = 0; line < p.tokens; ++line)
            for (std::size_t w = 0; w < p.width; ++w)
                gains[line * p.width + w] *= p.bit_line_gains[per_column ? w : line];
        for (double g : p.bit_line_gains)
            ir_drop_offset_.push_back(device::ir_drop_offset(g, p.floor_read));
    }
    cells_.set_cell_gains(gains);
}

std::vector<cost_counter> gain_cell_array::cost_counters() const
{
    const bool keys = params_.layout == orientation::token_per_column;
    return {{keys ? "k_array" : "v_array", keys ? "qk" : "pv", &energy_.cell_reads},
            {keys ? "k_lines" : "v_lines", keys ? "qk" : "pv", &energy_.lines},
            {"dac", "dac", &energy_.writes},
            {"refresh", "refresh", &energy_.refreshes}};
}

std::vector<static_power> gain_cell_array::static_powers() const
{
    const bool keys = params_.layout == orientation::token_per_column;
    return {{keys ? "qk_static" : "pv_static", keys ? "qk" : "pv", params_.cells_static_uw},
            {"dac_static", "dac", params_.dacs_static_uw}};
}

void gain_cell_array::write_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const std::uint64_t line = gp.get_address();
    const analog_payload* ext = gp.get_extension<analog_payload>();
    const bool refresh = ext && ext->refresh;
    if (gp.get_command() != tlm::TLM_WRITE_COMMAND || line >= params_.tokens ||
        (!refresh && vector_size(gp) != params_.width)) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    double sense_aj = 0;
    if (refresh) {
        // Sense what the cells hold now (after leakage), a full-pulse read of each cell, and restore
        // it through the DACs.
        const bool leaks = params_.model.leak() != device::leakage_form::none;
        if (leaks)
            update_decay(sc_time_stamp() + delay);
        double sensed = 0;
        for (std::size_t i = 0; i < params_.width; ++i) {
            stored_[i] = device::v_mid + cells_.decayed_deviation(line, i, leaks ? decay_[line] : 1.0);
            sensed += std::max(0.0, current_.polarity * params_.model.read(stored_[i]) - current_.floor);
        }
        sense_aj = params_.read_unit_aj * sensed;
        events_.cells_refreshed += params_.width;
    } else {
        std::copy_n(vector_data(gp), params_.width, stored_.begin());
        events_.cells_written += params_.width;
    }
    delay += params_.write_time;
    const double write_aj = store_line(line, sc_time_stamp() + delay);  // leakage starts when the write settles
    spend(refresh ? energy_.refreshes : energy_.writes, sense_aj + write_aj);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

double gain_cell_array::store_line(std::size_t line, const sc_time& written_at)
{
    if (grid_) {
        if (!quantize_line(dac_, params_.width, stored_.data(), stored_codes_.data()))
            throw std::invalid_argument(std::string(name()) + ": a DAC input of line " + std::to_string(line) +
                                        " is not a number");
        cells_.write_codes(line, stored_codes_.data());
    } else {
        for (std::size_t i = 0; i < params_.width; ++i)
            stored_[i] = dac_(stored_[i]);
        if (params_.dac_sigma > 0)
            for (std::size_t i = 0; i < params_.width; ++i)
                stored_[i] += params_.dac_sigma * write_noise_.normal();
        cells_.write(line, stored_.data());
    }
    const auto [sum_v, sum_v2] = voltage_sums(stored_.data(), params_.width);
    written_at_[line] = written_at;
    written_factor_[line] = std::exp(seconds(written_at, decay_ref_) / tau_s_);
    return device::dac_write_aj(static_cast<double>(params_.width), params_.dac_conversion_aj, params_.write_line_ff,
                                params_.v_max, params_.storage_ff, sum_v, sum_v2);
}

double gain_cell_array::seconds(const sc_time& a, const sc_time& b)
{
    // Signed a - b in seconds, from the integer time values (sc_time itself is unsigned).
    static const double resolution = sc_get_time_resolution().to_seconds();  // fixed once time exists
    return a >= b ? static_cast<double>((a - b).value()) * resolution : -static_cast<double>((b - a).value()) * resolution;
}

void gain_cell_array::update_decay(const sc_time& now, bool lines)
{
    const double tau = tau_s_;
    double since_ref = seconds(now, decay_ref_);
    if (since_ref > 32.0 * tau) {  // re-base before exp(-(now - ref)/tau) underflows
        decay_ref_ = now;
        since_ref = 0.0;
        for (std::size_t line = 0; line < params_.tokens; ++line)
            written_factor_[line] = std::exp(seconds(written_at_[line], now) / tau);
    }
    if (!lines)
        return;
    const double now_factor = std::exp(-since_ref / tau);
    for (std::size_t line = 0; line < params_.tokens; ++line)
        decay_[line] = std::min(1.0, now_factor * written_factor_[line]);  // not yet settled: age 0
}

void gain_cell_array::mac_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    const bool per_column = params_.layout == orientation::token_per_column;
    const std::size_t inputs = per_column ? params_.width : params_.tokens;
    const std::size_t outputs = per_column ? params_.tokens : params_.width;
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != inputs ||
        vector_size(gp) != outputs) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // Everything but the checks and the delay is arithmetic on this array's own state: with `defer`
    // it runs on the pool, off the simulation thread (see compute_mac).
    mac_ = {in->input, in->line_enabled, vector_data(gp), sc_time_stamp() + delay};
    if (in->defer)
        in->defer->submit(&gain_cell_array::run_mac, this);
    else
        compute_mac();
    delay += params_.read_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void gain_cell_array::compute_mac()
{
    const bool per_column = params_.layout == orientation::token_per_column;
    const std::size_t inputs = per_column ? params_.width : params_.tokens;
    const std::size_t outputs = per_column ? params_.tokens : params_.width;
    const std::size_t active_lines = mac_.enabled ? count_set(mac_.enabled, params_.tokens) : params_.tokens;
    // No visible token line (K) or no pulse (V): the kernels give zeros without the leakage
    // factors (most sub-tiles while a long window fills).
    const bool reads_cells = per_column ? active_lines > 0
                                        : std::any_of(mac_.in, mac_.in + inputs, [](double x) { return x != 0.0; });
    if (params_.model.leak() != device::leakage_form::none)
        update_decay(mac_.now, reads_cells);
    if (per_column)
        cells_.mac_per_line(mac_.in, decay_.data(), mac_.enabled, mac_.out);
    else
        cells_.mac_per_width(mac_.in, decay_.data(), mac_.out);
    if (!ir_drop_offset_.empty())
        add_ir_drop_offsets();
    const input_totals in = totals_of(mac_.in, inputs);
    spend(energy_.cell_reads, mac_read_energy(active_lines, in.sum));  // before the read noise: it carries no energy
    if (params_.read_sigma > 0) {
        for (std::size_t i = 0; i < outputs; ++i)
            if (!per_column || !mac_.enabled || mac_.enabled[i])
                mac_.out[i] += params_.read_sigma * read_noise_.normal();
    }
    // Lines: each input line with a pulse is driven across its cells, each output line taking part
    // (the enabled token lines of K, every dimension of V) is precharged across its cells.
    const std::size_t precharged = per_column ? active_lines : outputs;
    spend(energy_.lines,
          device::line_charge_aj(static_cast<double>(in.driven * outputs), params_.wl_ff_per_cell, params_.read_v) +
              device::line_charge_aj(static_cast<double>(precharged * inputs), params_.bl_ff_per_cell, params_.read_v));
    events_.cells_read += active_lines * params_.width;
    ++events_.macs;
}

void gain_cell_array::add_ir_drop_offsets()
{
    // The reference part of each cell's read is not scaled by the drop: sum over the cells of a bit
    // line of input * (1 - g) * P_floor. The gains depend on the position along the bit line only,
    // so every bit line gets the same sum (K: over the word lines; V: over the token lines).
    const bool per_column = params_.layout == orientation::token_per_column;
    const std::size_t inputs = per_column ? params_.width : params_.tokens;
    double offset = 0.0;
    for (std::size_t i = 0; i < inputs; ++i)
        offset += mac_.in[i] * ir_drop_offset_[i];
    const std::size_t outputs = per_column ? params_.tokens : params_.width;
    for (std::size_t i = 0; i < outputs; ++i)
        if (!per_column || !mac_.enabled || mac_.enabled[i])
            mac_.out[i] += offset;
}

double gain_cell_array::mac_read_energy(std::size_t active_lines, double sum_in) const
{
    // K: the inputs (query rows) each cross the enabled token lines; V: the inputs (token rows, 0 on
    // masked lines) each cross every dimension.
    const bool per_column = params_.layout == orientation::token_per_column;
    const std::size_t outputs = per_column ? params_.tokens : params_.width;
    const double sum_out = ordered_sum(mac_.out, outputs);
    const double cells_per_input = static_cast<double>(per_column ? active_lines : params_.width);
    return device::mac_read_aj(params_.read_unit_aj, current_.polarity, sum_out, current_.floor, sum_in,
                               cells_per_input);
}

}  // namespace gcasim
