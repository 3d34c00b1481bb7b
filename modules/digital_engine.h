// A digital engine (issue 14): the MAC array, vector unit and SRAM that run a decoder layer's digital
// parts (projections, MLP, LayerNorm, residuals; or the embedding and LM head) beside the analog
// attention. A layer stage sends it one transaction per op; the engine times and prices the op from
// its counts (device/digital_cost.h): compute = the MAC array's and the vector unit's cycles; weights
// that are not resident stream from the off-chip memory through the `memory` socket, double-buffered
// under the compute, so the op takes max(compute, stream) where the stream's time includes waiting for
// other engines. Loosely timed: b_transport never waits, it annotates the delay. Ops on one engine run
// one after another (a second op starts when the first is done). docs/modules/digital_engine.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "config/engine_config.h"
#include "cost_publisher.h"
#include "device/digital_cost.h"

namespace gcasim {

/// What a transaction to an engine's `socket` asks for: run `op` on a micro-batch of `tokens`
/// sequences; `weights_resident`: its weights are in the engine's SRAM (else they stream).
struct digital_op_extension : tlm::tlm_extension<digital_op_extension> {
    const device::digital_op* op = nullptr;  ///< owned by the sender, alive during the call
    std::size_t tokens = 1;
    bool weights_resident = false;

    tlm::tlm_extension_base* clone() const override { return new digital_op_extension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override
    {
        *this = static_cast<const digital_op_extension&>(other);
    }
};

class digital_engine : public sc_core::sc_module, public cost_publisher {
public:
    struct params {
        config::engine_config engine;
        config::memory_config memory;  ///< prices the stream's bytes (memory.pj_per_byte)
        double leakage_uw_per_mm2{};   ///< process.leakage_uw_per_mm2: static power of the engine's area
    };

    /// One op run: when it started and how long it took (max of compute and stream), for timelines.
    struct op_record {
        std::string name;
        std::size_t tokens;
        sc_core::sc_time start, duration;
        sc_core::sc_time compute, stream;  ///< the two candidates: the stream's includes waiting for the memory
        device::op_cost cost;
    };

    /// Energy spent (aJ), per cost component.
    struct energy_spent {
        attojoules mac = 0;     ///< engine_mac: MACs and element-wise ops
        attojoules sram = 0;    ///< engine_sram: activations, and resident weights
        attojoules memory = 0;  ///< memory: the off-chip bytes this engine streamed
    };

    /// The layer stage's ops: any command, with a digital_op_extension (else a generic error). The data
    /// pointer is not used.
    tlm_utils::simple_target_socket<digital_engine> socket;
    /// To the off-chip memory (offchip_memory::socket): READs of the weights that stream.
    tlm_utils::simple_initiator_socket<digital_engine> memory;

    digital_engine(const sc_core::sc_module_name& name, const params& p);

    const params& parameters() const { return params_; }
    /// The engine is free from here on (the end of its last op).
    const sc_core::sc_time& busy_until() const { return busy_until_; }
    /// The last op, once one has run.
    const op_record& last_op() const { return last_; }
    std::uint64_t ops_run() const { return ops_run_; }
    /// Time the engine spent running ops (sum of their durations).
    const sc_core::sc_time& busy_time() const { return busy_time_; }
    const energy_spent& energy() const { return energy_; }
    /// Hears every op as it is timed (a timeline, a per-op report).
    void set_op_listener(std::function<void(const op_record&)> listener) { listener_ = std::move(listener); }

    /// Area (um^2) and static power (uW) of the engine.
    const device::engine_area& area() const { return area_; }
    double static_uw() const { return static_uw_; }
    /// Static energy (pJ) over `elapsed` simulated time: static_uw x elapsed.
    double static_pj(const sc_core::sc_time& elapsed) const;

    /// engine_mac, engine_sram (part digital) and memory (part memory).
    std::vector<cost_counter> cost_counters() const override
    {
        return {{"engine_mac", "digital", &energy_.mac},
                {"engine_sram", "digital", &energy_.sram},
                {"memory", "memory", &energy_.memory}};
    }
    std::vector<static_power> static_powers() const override { return {{"engine_static", "digital", static_uw_}}; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    /// Streams `bytes` from the memory from `start` on; returns when they have arrived (absolute).
    sc_core::sc_time stream(double bytes, const sc_core::sc_time& start, bool& ok);

    params params_;
    device::engine_area area_;
    double static_uw_;
    sc_core::sc_time busy_until_, busy_time_;
    op_record last_;
    std::uint64_t ops_run_;
    energy_spent energy_;
    std::function<void(const op_record&)> listener_;
};

}  // namespace gcasim
