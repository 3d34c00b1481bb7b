// The chip's one off-chip memory interface (issue 14), shared by every digital engine: a timing and
// energy model of a bandwidth, no data. Every engine binds its `memory` socket to `socket`; a READ
// (or WRITE) of N bytes occupies the interface for N / memory.bandwidth_gb_s after it is free:
//     start = max(now + delay, busy_until);  busy_until = start + N / bandwidth;  delay = busy_until - now
// so engines reading at once queue behind each other (pipelined layers share the bandwidth). Each
// byte costs memory.pj_per_byte. The payload's data pointer is not used (it may be null); its data
// length is the byte count. docs/modules/digital_engine.md.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "config/engine_config.h"
#include "cost_publisher.h"

namespace gcasim {

class offchip_memory : public sc_core::sc_module {
public:
    /// Every engine's memory socket binds here (any number of initiators).
    tlm_utils::multi_passthrough_target_socket<offchip_memory> socket;

    offchip_memory(const sc_core::sc_module_name& name, const config::memory_config& memory);

    /// Bytes moved and their energy, in total and per bound initiator (in binding order).
    struct traffic {
        std::uint64_t bytes = 0;
        std::uint64_t transfers = 0;
        attojoules energy = 0;
        sc_core::sc_time busy;  ///< time the interface spent transferring (sum of N / bandwidth)
    };
    const traffic& total() const { return total_; }
    /// Per initiator: index = the socket's binding index (empty until one transfers).
    const std::vector<traffic>& per_initiator() const { return per_initiator_; }
    /// The interface is free from here on.
    const sc_core::sc_time& busy_until() const { return busy_until_; }
    /// Time to move `bytes` at the configured bandwidth.
    sc_core::sc_time transfer_time(double bytes) const;

    const config::memory_config& config() const { return memory_; }

private:
    void b_transport(int initiator, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    config::memory_config memory_;
    sc_core::sc_time busy_until_;
    traffic total_;
    std::vector<traffic> per_initiator_;
};

}  // namespace gcasim
