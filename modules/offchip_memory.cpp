#include "offchip_memory.h"

#include <algorithm>

#include "util/param_check.h"

namespace gcasim {

using namespace sc_core;

namespace {

const config::memory_config& checked(const config::memory_config& m, const sc_module& self)
{
    require_param(m.bandwidth_gb_s > 0, self, "memory.bandwidth_gb_s", m.bandwidth_gb_s, "must be > 0");
    require_param(m.pj_per_byte >= 0, self, "memory.pj_per_byte", m.pj_per_byte, "must be >= 0");
    return m;
}

}  // namespace

offchip_memory::offchip_memory(const sc_module_name& name, const config::memory_config& memory)
    : sc_module(name), socket("socket"), memory_(checked(memory, *this)), busy_until_(SC_ZERO_TIME), total_(),
      per_initiator_()
{
    socket.register_b_transport(this, &offchip_memory::b_transport);
}

sc_time offchip_memory::transfer_time(double bytes) const
{
    // GB/s = bytes per ns.
    return sc_time(bytes / memory_.bandwidth_gb_s, SC_NS);
}

void offchip_memory::b_transport(int initiator, tlm::tlm_generic_payload& gp, sc_time& delay)
{
    const tlm::tlm_command command = gp.get_command();
    if (command != tlm::TLM_READ_COMMAND && command != tlm::TLM_WRITE_COMMAND) {
        gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    const std::uint64_t bytes = gp.get_data_length();
    const sc_time now = sc_time_stamp();
    const sc_time duration = transfer_time(static_cast<double>(bytes));
    const sc_time start = std::max(now + delay, busy_until_);
    busy_until_ = start + duration;
    delay = busy_until_ - now;

    if (per_initiator_.size() <= static_cast<std::size_t>(initiator))
        per_initiator_.resize(static_cast<std::size_t>(initiator) + 1);
    for (traffic* t : {&total_, &per_initiator_[static_cast<std::size_t>(initiator)]}) {
        t->bytes += bytes;
        ++t->transfers;
        spend(t->energy, static_cast<double>(bytes) * memory_.pj_per_byte * 1e6);
        t->busy += duration;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace gcasim
