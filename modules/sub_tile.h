// One sub-tile of a head: a K array, a V array and the bank of charge-to-pulse converters between
// them. Only instantiation; the controller talks to the three blocks' sockets.
#pragma once

#include <systemc>

#include "charge_to_pulse.h"
#include "config/head_config.h"
#include "config/run_config.h"
#include "gain_cell_array.h"

namespace gcasim {

class sub_tile : public sc_core::sc_module {
public:
    gain_cell_array k_array;
    gain_cell_array v_array;
    charge_to_pulse c2p;

    /// `seed`: this sub-tile's own seed for its non-idealities.
    sub_tile(const sc_core::sc_module_name& name, const config::head_config& config,
             const config::energy_config& energies, std::uint64_t seed, compute_pool* pool = nullptr);

    static gain_cell_array::params array_params(const config::head_config& config,
                                                const config::energy_config& energies,
                                                gain_cell_array::orientation layout, std::uint64_t seed,
                                                compute_pool* pool = nullptr);
    static charge_to_pulse::params c2p_params(const config::head_config& config,
                                              const config::energy_config& energies, std::uint64_t seed);
};

}  // namespace gcasim
