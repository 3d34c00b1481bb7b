#include "charge_to_pulse.h"

#include <cmath>

#include "analog_payload.h"
#include "device/circuit_energy.h"
#include "device/quantizer.h"
#include "device/random.h"
#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;

namespace {

/// The converters' parameters, checked against what the block can be (util/param_check.h).
const charge_to_pulse::params& checked(const charge_to_pulse::params& p, const sc_module& self)
{
    require_param(p.tokens >= 1, self, "array.tokens", p.tokens, "must be >= 1");
    require_param(p.s_sat > 0, self, "pulse.s_sat", p.s_sat, "must be > 0");
    require_param(p.t_max > SC_ZERO_TIME, self, "pulse.t_max_ns", p.t_max, "must be > 0");
    require_param(p.offset_sigma >= 0, self, "noise.c2p_offset_sigma", p.offset_sigma, "must be >= 0");
    require_param(p.conversion_pj >= 0, self, "c2p.conversion_pj", p.conversion_pj, "must be >= 0");
    require_param(p.read_unit_aj >= 0, self, "V x cell.read_current_na x pulse.t_max_ns", p.read_unit_aj, "must be >= 0");
    require_param(p.static_uw >= 0, self, "process.leakage_uw_per_mm2 (converters)", p.static_uw, "must be >= 0");
    return p;
}

}  // namespace

charge_to_pulse::charge_to_pulse(const sc_module_name& name, const params& p)
    : sc_module(name), charge_socket("charge_socket"), params_(checked(p, *this)), offset_(p.tokens, 0.0), events_(),
      energy_()
{
    device::splitmix64 rng(device::derive_seed(p.seed, 5));
    if (p.offset_sigma > 0)
        for (double& o : offset_)
            o = p.offset_sigma * rng.normal();
    charge_socket.register_b_transport(this, &charge_to_pulse::transport);
}

void charge_to_pulse::transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const analog_payload* in = gp.get_extension<analog_payload>();
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != params_.tokens ||
        vector_size(gp) != params_.tokens) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    double* phi = vector_data(gp);
    // Two simple loops rather than one with a branch: both vectorise.
    for (std::size_t i = 0; i < params_.tokens; ++i)
        phi[i] = device::hard_sigmoid(in->input[i] + offset_[i], params_.s_sat);
    std::size_t converted = params_.tokens;
    if (in->line_enabled) {
        converted = 0;
        for (std::size_t i = 0; i < params_.tokens; ++i) {
            phi[i] = in->line_enabled[i] ? phi[i] : 0.0;
            converted += in->line_enabled[i] != 0;
        }
    }
    events_.conversions += converted;
    double pulses = 0;  // phi is 0 on masked lines
    for (std::size_t i = 0; i < params_.tokens; ++i)
        pulses += phi[i];
    spend(energy_.conversions, device::c2p_conversions_aj(static_cast<double>(converted), params_.conversion_pj,
                                                                   params_.read_unit_aj, params_.s_sat, pulses));
    delay += params_.conversion_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
