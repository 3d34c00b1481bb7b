#include "digital_engine.h"

#include <algorithm>
#include <limits>

#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;

namespace {

const digital_engine::params& checked(const digital_engine::params& p, const sc_module& self)
{
    const config::engine_config& e = p.engine;
    require_param(e.clock_period_ns > 0, self, "engine.clock_period_ns", e.clock_period_ns, "must be > 0");
    require_param(e.macs_per_cycle >= 1, self, "engine.macs_per_cycle", e.macs_per_cycle, "must be >= 1");
    require_param(e.vector_ops_per_cycle >= 1, self, "engine.vector_ops_per_cycle", e.vector_ops_per_cycle,
                  "must be >= 1");
    require_param(e.sram_kib > 0, self, "engine.sram_kib", e.sram_kib, "must be > 0");
    require_param(e.sram_um2_per_bit > 0, self, "engine.sram_um2_per_bit", e.sram_um2_per_bit, "must be > 0");
    require_param(p.memory.bandwidth_gb_s > 0, self, "memory.bandwidth_gb_s", p.memory.bandwidth_gb_s, "must be > 0");
    require_param(p.memory.pj_per_byte >= 0, self, "memory.pj_per_byte", p.memory.pj_per_byte, "must be >= 0");
    require_param(p.leakage_uw_per_mm2 >= 0, self, "process.leakage_uw_per_mm2", p.leakage_uw_per_mm2, "must be >= 0");
    return p;
}

/// pJ -> aJ for spend().
constexpr double aj_per_pj = 1e6;

}  // namespace

digital_engine::digital_engine(const sc_module_name& name, const params& p)
    : sc_module(name), socket("socket"), memory("memory"), params_(checked(p, *this)),
      area_(device::area_of_engine(p.engine)), static_uw_(device::engine_static_uw(p.engine, p.leakage_uw_per_mm2)),
      busy_until_(SC_ZERO_TIME), busy_time_(SC_ZERO_TIME), last_(), ops_run_(0), energy_(), listener_()
{
    socket.register_b_transport(this, &digital_engine::b_transport);
}

double digital_engine::static_pj(const sc_time& elapsed) const
{
    // uW x ns = fJ.
    return static_uw_ * elapsed.to_seconds() * 1e9 * 1e-3;
}

sc_time digital_engine::stream(double bytes, const sc_time& start, bool& ok)
{
    // A generic payload's length is 32 bits: a larger stream goes as several reads, back to back.
    constexpr double max_chunk = std::numeric_limits<unsigned int>::max();
    const sc_time now = sc_time_stamp();
    sc_time delay = start - now;
    ok = true;
    for (double left = bytes; left > 0 && ok;) {
        const double chunk = std::min(left, max_chunk);
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(0);
        gp.set_data_ptr(nullptr);
        gp.set_data_length(static_cast<unsigned int>(chunk));
        gp.set_streaming_width(static_cast<unsigned int>(chunk));
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        memory->b_transport(gp, delay);
        ok = gp.is_response_ok();
        left -= chunk;
    }
    return now + delay;
}

void digital_engine::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const digital_op_extension* ext = gp.get_extension<digital_op_extension>();
    if (!ext || !ext->op || ext->tokens == 0) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const device::digital_op& op = *ext->op;
    const device::op_cost cost = device::price(op, params_.engine, params_.memory, ext->tokens, ext->weights_resident);

    const sc_time now = sc_time_stamp();
    const sc_time start = std::max(now + delay, busy_until_);
    const sc_time compute(cost.compute_ns, SC_NS);
    sc_time stream_end = start;
    if (cost.stream_bytes > 0) {
        bool ok = false;
        stream_end = stream(cost.stream_bytes, start, ok);
        if (!ok) {
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
    }
    const sc_time end = std::max(start + compute, stream_end);
    busy_until_ = end;
    busy_time_ += end - start;
    delay = end - now;

    spend(energy_.mac, cost.mac_pj * aj_per_pj);
    spend(energy_.sram, cost.sram_pj * aj_per_pj);
    spend(energy_.memory, cost.dram_pj * aj_per_pj);
    last_ = {op.name, ext->tokens, start, end - start, compute, stream_end - start, cost};
    ++ops_run_;
    if (listener_)
        listener_(last_);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
