// Bank of charge-to-pulse converters (one per K-array column): turns each token's integrated
// score S into a pulse of width T_max * clamp(S/S_sat, 0, 1) (a HardSigmoid instead of softmax),
// which drives the matching V-array row directly: no ADC.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "cost_publisher.h"

namespace gcasim {

class charge_to_pulse : public sc_core::sc_module, public cost_publisher {
public:
    struct params {
        std::size_t converters = 64;                        ///< one per token line
        double s_sat = 80.0;                                ///< saturation charge (MAC units)
        sc_core::sc_time t_max{15, sc_core::SC_NS};         ///< longest pulse
        sc_core::sc_time conversion_time = sc_core::SC_ZERO_TIME;  ///< before the pulse starts
        double offset_sigma = 0;  ///< static offset of each converter (MAC units), 0 = ideal
        std::uint64_t seed = 1;
        double conversion_pj = 0;  ///< energy of one conversion (see config::energy_config)
    };

    struct event_counts {
        std::uint64_t conversions = 0;  ///< converters that fired (enabled lines)
    };

    /// TLM_READ_COMMAND with an analog_payload of charges S (and the line enables); data = pulse
    /// widths as fractions of T_max (0 for disabled lines).
    tlm_utils::simple_target_socket<charge_to_pulse> charge_socket;

    charge_to_pulse(const sc_core::sc_module_name& name, const params& p);

    const params& parameters() const { return params_; }
    const event_counts& events() const { return events_; }
    /// Conversions (component charge_to_pulse, part qk).
    std::vector<cost_counter> cost_counters() const override
    {
        return {{"charge_to_pulse", "qk", params_.conversion_pj, &events_.conversions}};
    }

private:
    void transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    params params_;
    std::vector<double> offset_;  ///< per converter
    event_counts events_;
};

}  // namespace gcasim
