#include "readout.h"

#include <algorithm>
#include <cmath>

#include "analog_payload.h"
#include "device/circuit_energy.h"
#include "device/random.h"
#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;
using device::combine_mode;

namespace {

/// The readout's parameters, checked against what the block can be (util/param_check.h).
const readout::params& checked(const readout::params& p, const sc_module& self)
{
    require_param(p.sub_tiles >= 1, self, "sub-tiles (window / array.tokens)", p.sub_tiles, "must be >= 1");
    require_param(p.width >= 1, self, "head_dim", p.width, "must be >= 1");
    require_param(p.scale > 0, self, "readout.scale", p.scale, "must be > 0");
    require_param(p.share_gain > 0 && p.share_gain <= 1, self, "lines.share_ff_per_tile (charge-sharing gain)",
                  p.share_gain, "must give a gain in (0, 1]");
    require_param(p.counter_levels == 0 || p.counter_levels >= 3, self, "quant.out_levels", p.counter_levels,
                  "must be >= 3, or 0 for an ideal counter");
    require_param(p.offset_sigma >= 0, self, "noise.counter_offset_sigma", p.offset_sigma, "must be >= 0");
    require_param(p.circuit_levels >= 3, self, "quant.out_levels", p.circuit_levels, "must be >= 3");
    for (const auto& [key, value] : {std::pair{"readout.conversion_pj", p.conversion_pj},
                                     {"V x cell.read_current_na x pulse.t_max_ns", p.read_unit_aj},
                                     {"readout.counter_step_fj", p.counter_step_fj},
                                     {"digital.add_fj_per_bit (adders per token)", p.adders_aj},
                                     {"digital.mult_pj (scaling per token)", p.scaling_aj},
                                     {"digital.route_fj_per_bit (routing per token)", p.routing_aj},
                                     {"process.leakage_uw_per_mm2 (converters)", p.converters_static_uw},
                                     {"process.leakage_uw_per_mm2 (adders)", p.adders_static_uw}})
        require_param(value >= 0, self, key, value, "must be >= 0");
    return p;
}

}  // namespace

readout::readout(const sc_module_name& name, const params& p)
    : sc_module(name), convert_socket("convert_socket"), combine_socket("combine_socket"), params_(checked(p, *this)),
      counter_(-1.0, 1.0, p.counter_levels),
      max_steps_(p.clip == device::output_clip::counter ? (p.counter_levels - 1) / 2 : -1),
      offset_(converted_size(), 0.0), circuit_step_(2.0 / (p.circuit_levels - 1)),
      full_scale_steps_(device::counter_full_scale_steps(p.circuit_levels, p.clip)), events_(), energy_()
{
    device::splitmix64 rng(device::derive_seed(p.seed, 6));
    if (p.offset_sigma > 0)
        for (double& o : offset_)
            o = p.offset_sigma * rng.normal();
    convert_socket.register_b_transport(this, &readout::convert_transport);
    combine_socket.register_b_transport(this, &readout::combine_transport);
}

std::size_t readout::converted_size() const
{
    return params_.combine == combine_mode::digital_adders ? params_.sub_tiles * params_.width
                                                           : params_.width;
}

void readout::convert_all(double* x, std::size_t n) const
{
    // The counter's steps are kept as doubles (exact integers) and the loops are branch-free, so
    // they vectorise.
    if (!counter_.enabled()) {
        for (std::size_t i = 0; i < n; ++i)
            x[i] = device::clamp(x[i], -1.0, 1.0);
        return;
    }
    const double step = counter_.step();
    const double max_steps = max_steps_ >= 0 ? static_cast<double>(max_steps_) : HUGE_VAL;
    for (std::size_t i = 0; i < n; ++i) {
        const double steps = device::round_half_even(device::clamp(x[i], -1.0, 1.0) / step);
        x[i] = device::clamp(steps, -max_steps, max_steps) * step;
    }
}

void readout::convert_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    const std::size_t n_tiles = params_.sub_tiles, width = params_.width;
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != n_tiles * width ||
        vector_size(gp) != converted_size()) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    double* out = vector_data(gp);
    if (params_.combine == combine_mode::digital_adders) {
        const double* x = in->input;
        for (std::size_t i = 0; i < n_tiles * width; ++i)
            out[i] = x[i] / params_.scale + offset_[i];
        spend_conversions(out, n_tiles * width);
        convert_all(out, n_tiles * width);
    } else {
        // Charge sharing: the N output lines of a dimension are connected, the charge averages
        // (share_gain < 1: part of it charges the bus parasitics instead).
        for (std::size_t e = 0; e < width; ++e) {
            double shared = 0.0;
            for (std::size_t n = 0; n < n_tiles; ++n)
                shared += in->input[n * width + e];
            out[e] = params_.share_gain * shared / (params_.scale * n_tiles) + offset_[e];
        }
        spend_conversions(out, width);
        convert_all(out, width);
    }
    events_.conversions += converted_size();
    delay += params_.convert_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void readout::spend_conversions(const double* x, std::size_t n)
{
    // The counter counts |x| in steps up to full scale, whether or not the numerics quantize.
    double sum_abs = 0, sum_steps = 0;
    const double full_scale = static_cast<double>(full_scale_steps_);
    for (std::size_t i = 0; i < n; ++i) {
        const double magnitude = std::min(std::fabs(x[i]), 1.0);
        sum_abs += magnitude;
        sum_steps += std::min(device::round_half_even(magnitude / circuit_step_), full_scale);
    }
    spend(energy_.conversions, device::readout_conversions_aj(static_cast<double>(n), params_.conversion_pj,
                                                                       params_.read_unit_aj, params_.scale, sum_abs));
    spend(energy_.counter_steps, device::counter_steps_aj(sum_steps, params_.counter_step_fj));
}

void readout::combine_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    const std::size_t n_tiles = params_.sub_tiles, width = params_.width;
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != converted_size() ||
        vector_size(gp) != width) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    double* out = vector_data(gp);
    if (params_.combine == combine_mode::digital_adders) {
        for (std::size_t e = 0; e < width; ++e) {
            double sum = 0.0;
            for (std::size_t n = 0; n < n_tiles; ++n)
                sum += in->input[n * width + e];
            out[e] = sum;
        }
        events_.adder_ops += (n_tiles - 1) * width;
        spend(energy_.adders, params_.adders_aj);
    } else {
        for (std::size_t e = 0; e < width; ++e)
            out[e] = static_cast<double>(n_tiles) * in->input[e];  // undo the average
        events_.adder_ops += width;
    }
    spend(energy_.scaling, params_.scaling_aj);
    spend(energy_.routing, params_.routing_aj);
    delay += params_.combine_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
