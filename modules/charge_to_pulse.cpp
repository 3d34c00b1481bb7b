#include "charge_to_pulse.h"

#include "analog_payload.h"
#include "device/quantizer.h"
#include "device/random.h"

namespace gcasim {

using namespace sc_core;

charge_to_pulse::charge_to_pulse(const sc_module_name& name, const params& p)
    : sc_module(name), charge_socket("charge_socket"), params_(p), offset_(p.converters, 0.0), events_()
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
    if (gp.get_command() != tlm::TLM_READ_COMMAND || !in || in->input_size != params_.converters ||
        vector_size(gp) != params_.converters) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    double* phi = vector_data(gp);
    // Two simple loops rather than one with a branch: both vectorise.
    for (std::size_t i = 0; i < params_.converters; ++i)
        phi[i] = device::hard_sigmoid(in->input[i] + offset_[i], params_.s_sat);
    std::size_t converted = params_.converters;
    if (in->line_enabled) {
        converted = 0;
        for (std::size_t i = 0; i < params_.converters; ++i) {
            phi[i] = in->line_enabled[i] ? phi[i] : 0.0;
            converted += in->line_enabled[i] != 0;
        }
    }
    events_.conversions += converted;
    delay += params_.conversion_time;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
