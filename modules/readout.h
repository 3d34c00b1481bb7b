// Readout of a head: per sub-tile a signed charge-to-pulse converter and a counter (the only
// conversion to digital), then the sub-tiles are combined, either by digital adders (the paper's
// design) or by analog charge sharing before a single conversion.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "cost_publisher.h"
#include "device/readout_modes.h"
#include "device/quantizer.h"

namespace gcasim {

class readout : public sc_core::sc_module, public cost_publisher {
public:
    /// Built from the config by attention_head::readout_params; no defaults of its own.
    struct params {
        std::size_t sub_tiles{};          ///< ceil(window / array.tokens)
        std::size_t width{};              ///< head_dim: output dimensions
        device::combine_mode combine{};   ///< readout.combine
        double scale{};                   ///< readout.scale: charge of a full-scale count (MAC units)
        int counter_levels{};             ///< quant.out_levels, 0 = ideal (quant.enabled false)
        device::output_clip clip{};       ///< quant.out_clip
        sc_core::sc_time convert_time;    ///< the readout phase: sign decision + counting to full scale
        sc_core::sc_time combine_time;    ///< the digital phase: adder tree (or sharing), scaling, routing
        double share_gain{};              ///< charge sharing: the shared charge's fraction left on the
                                          ///< integrators, beside the bus parasitics (1 = ideal lines)
        double offset_sigma{};            ///< noise.counter_offset_sigma (fraction of full scale)
        std::uint64_t seed{};             ///< derived from noise.seed
        // Energy (docs/cost_model.md, Energy): see device/circuit_energy.h.
        int circuit_levels{};             ///< quant.out_levels: the counter's circuit, also with quant.enabled false
        double conversion_pj{};           ///< readout.conversion_pj: comparators and reset of one conversion
        double read_unit_aj{};            ///< V x cell.read_current_na x T_max: the discharge current's unit
        double counter_step_fj{};         ///< readout.counter_step_fj: one counter increment
        double adders_aj{};               ///< the adder tree's additions of one token
        double scaling_aj{};              ///< the output scaling of one token
        double routing_aj{};              ///< the routing of one token's outputs
        double converters_static_uw{};    ///< static power of the converters and counters
        double adders_static_uw{};        ///< static power of the adder tree
    };

    struct event_counts {
        std::uint64_t conversions = 0;  ///< counter conversions (one per output line read)
        std::uint64_t adder_ops = 0;    ///< digital additions / scalings
    };
    /// Energy spent (aJ), per cost component.
    struct energy_spent {
        attojoules conversions = 0;    ///< conversions and their discharge currents
        attojoules counter_steps = 0;  ///< the counters' increments
        attojoules adders = 0, scaling = 0, routing = 0;
    };

    /// READ with analog_payload input = sub_tiles x width charges (sub-tile major);
    /// data = converted values: sub_tiles x width (digital adders) or width (charge sharing).
    tlm_utils::simple_target_socket<readout> convert_socket;
    /// READ with analog_payload input = the converted values above; data = width outputs.
    tlm_utils::simple_target_socket<readout> combine_socket;

    readout(const sc_core::sc_module_name& name, const params& p);

    /// Values per head output after conversion: sub_tiles*width or width.
    std::size_t converted_size() const;

    /// One counter conversion: clamp(x, -1, 1), then the counter's grid.
    double convert(double x) const
    {
        convert_all(&x, 1);
        return x;
    }
    /// convert() of n values in place.
    void convert_all(double* x, std::size_t n) const;

    const params& parameters() const { return params_; }
    const event_counts& events() const { return events_; }
    const energy_spent& energy() const { return energy_; }
    /// Conversions (readout) and counters (counter), part pv; adders, scaling and routing, part digital.
    std::vector<cost_counter> cost_counters() const override
    {
        return {{"readout", "pv", &energy_.conversions},
                {"counter", "pv", &energy_.counter_steps},
                {"adders", "digital", &energy_.adders},
                {"scaling", "digital", &energy_.scaling},
                {"routing", "digital", &energy_.routing}};
    }
    std::vector<static_power> static_powers() const override
    {
        return {{"pv_static", "pv", params_.converters_static_uw}, {"digital_static", "digital", params_.adders_static_uw}};
    }

private:
    void convert_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void combine_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    /// Energy of converting the n values x (before quantization) in aJ: conversions and counters.
    void spend_conversions(const double* x, std::size_t n);

    params params_;
    device::quantizer counter_;
    long max_steps_;  ///< counter saturation in steps (counter clip mode), else unlimited
    std::vector<double> offset_;  ///< per converter (converted_size())
    double circuit_step_;         ///< the counter's step on [-1, 1] at circuit_levels
    long full_scale_steps_;       ///< M: steps of a full-scale count
    event_counts events_;
    energy_spent energy_;
};

}  // namespace gcasim
