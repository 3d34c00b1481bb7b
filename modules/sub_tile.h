// One sub-tile of a head, as a circuit: the K array's columns feed the bank of charge-to-pulse
// converters, whose pulses drive the V array's rows. The chain is wired here, through the
// sub-tile's own initiator sockets; the controller only drives the sub-tile, once per phase.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "analog_payload.h"
#include "charge_to_pulse.h"
#include "config/head_config.h"
#include "gain_cell_array.h"

namespace gcasim {

class sub_tile : public sc_core::sc_module {
public:
    gain_cell_array k_array;
    charge_to_pulse c2p;
    gain_cell_array v_array;

    /// The arrays' write sockets, exported (hierarchical binding): a token line's K or V values, or
    /// its refresh. See gain_cell_array::write_socket.
    tlm::tlm_target_socket<> k_write_socket;
    tlm::tlm_target_socket<> v_write_socket;
    /// Phase qk. TLM_WRITE_COMMAND of the query: data = `head_dim` pulse widths (fractions of T_max)
    /// on the K-array rows; analog_payload: `line_enabled` = the token lines taking part this token
    /// (optional), `defer` (optional). The K array integrates S on its columns, at the converters'
    /// inputs; nothing comes back.
    tlm_utils::simple_target_socket<sub_tile> query_socket;
    /// Phase pv. TLM_READ_COMMAND: the converters fire on S, their pulses phi drive the V-array rows;
    /// data = the V array's `head_dim` output charges A_n (MAC units); analog_payload `defer` (optional).
    /// Debug transport (transport_dbg) reads the internal lines S and phi (sub_tile_probe).
    tlm_utils::simple_target_socket<sub_tile> value_socket;

    /// `seed`: this sub-tile's own seed for its non-idealities.
    sub_tile(const sc_core::sc_module_name& name, const config::head_config& config, std::uint64_t seed);

    static gain_cell_array::params array_params(const config::head_config& config,
                                                gain_cell_array::orientation layout, std::uint64_t seed);
    static charge_to_pulse::params c2p_params(const config::head_config& config, std::uint64_t seed);

private:
    void query_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void value_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned int probe(tlm::tlm_generic_payload& gp);
    /// One transaction of the chain; false (and the error response on `outer`) if it failed.
    bool forward(tlm_utils::simple_initiator_socket<sub_tile>& socket, tlm::tlm_generic_payload& outer,
                 sc_core::sc_time& delay);

    // The chain: K columns -> converters -> V rows.
    tlm_utils::simple_initiator_socket<sub_tile> k_mac_socket_;  ///< to k_array.mac_socket
    tlm_utils::simple_initiator_socket<sub_tile> c2p_socket_;    ///< to c2p.charge_socket
    tlm_utils::simple_initiator_socket<sub_tile> v_mac_socket_;  ///< to v_array.mac_socket

    std::size_t token_lines_, width_;
    tlm::tlm_generic_payload gp_;
    analog_payload* ext_;  ///< owned by gp_
    std::vector<double> column_charges_;    ///< S: K-array columns = converter inputs
    std::vector<double> row_pulses_;        ///< phi: converter outputs = V-array rows (fractions of T_max)
    std::vector<std::uint8_t> line_enabled_;  ///< token lines taking part, held from the query
    bool lines_masked_;                     ///< the query came with line enables
};

}  // namespace gcasim
