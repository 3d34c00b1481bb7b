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
    /// Built from the config by sub_tile::c2p_params; no defaults of its own.
    struct params {
        std::size_t tokens{};             ///< array.tokens: one converter per token line
        double s_sat{};                   ///< pulse.s_sat: saturation charge (MAC units)
        sc_core::sc_time t_max;           ///< pulse.t_max_ns: longest pulse
        sc_core::sc_time conversion_time; ///< before the pulse starts (no key: zero)
        double offset_sigma{};            ///< noise.c2p_offset_sigma: static offset per converter (MAC units)
        std::uint64_t seed{};             ///< derived from noise.seed
        double conversion_pj{};           ///< c2p.conversion_pj: comparator and reset of one conversion
        double read_unit_aj{};            ///< V x cell.read_current_na x T_max: the discharge current's unit
        double static_uw{};               ///< static power of the converters
    };

    struct event_counts {
        std::uint64_t conversions = 0;  ///< converters that fired (enabled lines)
    };
    /// Energy of the conversions (aJ): each conversion_pj + its discharge, s_sat MAC units for phi*T.
    struct energy_spent {
        attojoules conversions = 0;
    };

    /// TLM_READ_COMMAND with an analog_payload of charges S (and the line enables); data = pulse
    /// widths as fractions of T_max (0 for disabled lines).
    tlm_utils::simple_target_socket<charge_to_pulse> charge_socket;

    charge_to_pulse(const sc_core::sc_module_name& name, const params& p);

    const params& parameters() const { return params_; }
    const event_counts& events() const { return events_; }
    const energy_spent& energy() const { return energy_; }
    /// Conversions (component charge_to_pulse, part qk).
    std::vector<cost_counter> cost_counters() const override
    {
        return {{"charge_to_pulse", "qk", &energy_.conversions}};
    }
    std::vector<static_power> static_powers() const override { return {{"qk_static", "qk", params_.static_uw}}; }

private:
    void transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    params params_;
    std::vector<double> offset_;  ///< per converter
    event_counts events_;
    energy_spent energy_;
};

}  // namespace gcasim
