#include "energy_ledger.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gcasim {

using namespace sc_core;

const std::array<const char*, energy_ledger::component::count>& energy_ledger::component_names()
{
    static const std::array<const char*, component::count> names = {
        "k_array", "charge_to_pulse", "v_array", "readout", "dac", "refresh", "adders", "control"};
    return names;
}

const char* energy_ledger::published_part(component c)
{
    switch (c) {
    case k_array:
    case charge_to_pulse: return "qk";
    case v_array:
    case readout: return "pv";
    case dac: return "dac";
    case refresh: return "refresh";
    default: return "digital";
    }
}

void energy_ledger::add(attojoules& sum, attojoules x)
{
    if (__builtin_add_overflow(sum, x, &sum))
        throw std::overflow_error("energy ledger: a sum exceeds 2^128 attojoules (3.4e20 J)");
}

namespace {

/// events x pJ per event in whole attojoules, rounded half away from zero.
energy_ledger::attojoules to_attojoules(std::uint64_t events, double pj_per_event)
{
    const double aj = std::round(static_cast<double>(events) * pj_per_event * 1e6);
    if (!(aj < 0x1p128))  // not reachable with the schema's ranges (at most ~1e24 aJ a head and token)
        throw std::overflow_error("energy ledger: one head's energy of a token exceeds 2^128 attojoules");
    return static_cast<energy_ledger::attojoules>(aj);
}

}  // namespace

energy_ledger::energy_ledger(const sc_module_name& name, const config::energy_config& energies, std::size_t window)
    : sc_module(name), heads_(), pending_(), reported_(), first_pending_(0), energies_(energies), window_(window),
      sink_(), close_listener_(), rows_(0), full_rows_(0), sum_all_{}, sum_full_{}
{
}

void energy_ledger::attach(attention_head& head)
{
    std::vector<source> sources;
    for (const auto& tile : head.tiles) {
        sources.push_back({dac, &tile->k_array.events().cells_written, energies_.dac_write_pj, 0});
        sources.push_back({dac, &tile->v_array.events().cells_written, energies_.dac_write_pj, 0});
        sources.push_back({refresh, &tile->k_array.events().cells_refreshed, energies_.dac_write_pj, 0});
        sources.push_back({refresh, &tile->v_array.events().cells_refreshed, energies_.dac_write_pj, 0});
        sources.push_back({k_array, &tile->k_array.events().cells_read, energies_.k_cell_read_pj, 0});
        sources.push_back({v_array, &tile->v_array.events().cells_read, energies_.v_cell_read_pj, 0});
        sources.push_back({charge_to_pulse, &tile->c2p.events().conversions, energies_.c2p_conversion_pj, 0});
    }
    sources.push_back({readout, &head.out.events().conversions, energies_.readout_conversion_pj, 0});
    sources.push_back({adders, &head.out.events().adder_ops, energies_.adder_op_pj, 0});
    sources.push_back({control, &head.controller.control_steps(), energies_.control_token_pj, 0});
    heads_.push_back(std::move(sources));
    head.controller.add_observer(this);
}

void energy_ledger::on_token(const token_result& r)
{
    while (r.token >= first_pending_ + pending_.size()) {
        pending_.push_back({first_pending_ + pending_.size(), amounts{}, 0, true});
        reported_.push_back(0);
    }
    row& target = pending_[r.token - first_pending_];
    // Counted from the mask rather than the token index: a new sequence (token_source) empties the window.
    const auto visible_keys = static_cast<std::size_t>(std::count(r.visible.begin(), r.visible.end(), std::uint8_t{1}));
    target.full_window = target.full_window && visible_keys >= window_;
    for (source& s : heads_.at(r.head)) {
        const std::uint64_t events = *s.counter - s.last;
        s.last = *s.counter;
        add(target.energy[s.kind], to_attojoules(events, s.pj_per_event));
    }
    ++reported_[r.token - first_pending_];

    while (!pending_.empty() && reported_.front() == heads_.size()) {
        row& done = pending_.front();
        done.total = 0;
        for (std::size_t c = 0; c < component::count; ++c) {
            add(done.total, done.energy[c]);
            add(sum_all_[c], done.energy[c]);
            if (done.full_window)
                add(sum_full_[c], done.energy[c]);
        }
        ++rows_;
        full_rows_ += done.full_window;
        if (sink_)
            sink_(done);
        if (close_listener_)
            close_listener_(done.token);
        pending_.pop_front();
        reported_.pop_front();
        ++first_pending_;
    }
}

}  // namespace gcasim
