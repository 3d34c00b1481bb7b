#include "energy_ledger.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "device/circuit_energy.h"

namespace gcasim {

using namespace sc_core;

void energy_ledger::add(attojoules& sum, attojoules x)
{
    if (__builtin_add_overflow(sum, x, &sum))
        throw std::overflow_error("energy ledger: a sum exceeds 2^128 attojoules (3.4e20 J)");
}

namespace {

/// Static energy of `microwatts` during `elapsed` in whole attojoules, rounded half away from zero.
energy_ledger::attojoules static_attojoules(double microwatts, const sc_time& elapsed)
{
    const double aj = std::round(device::static_energy_aj(microwatts, elapsed.to_seconds() * 1e9));
    if (!(aj < 0x1p128))  // not reachable with the schema's ranges
        throw std::overflow_error("energy ledger: one head's static energy of a token exceeds 2^128 attojoules");
    return static_cast<energy_ledger::attojoules>(aj);
}

/// Column order: the paper's published parts first, in this order, then parts of their own.
std::size_t part_rank(const std::string& part)
{
    static const char* const parts[] = {"qk", "pv", "dac", "refresh", "digital"};
    const auto* found = std::find(std::begin(parts), std::end(parts), part);
    return static_cast<std::size_t>(found - std::begin(parts));
}

}  // namespace

energy_ledger::energy_ledger(std::size_t window)
    : heads_(), columns_(), pending_(), first_pending_(0), window_(window), sink_(), rows_(0), full_rows_(0),
      sum_all_(), sum_full_()
{
}

void energy_ledger::attach(std::size_t head, const sc_object& root)
{
    if (rows_ > 0 || !pending_.empty())
        throw std::logic_error("energy ledger: a head attached after the first token");
    if (head >= heads_.size())
        heads_.resize(head + 1);
    heads_[head] = head_sources{};
    collect(root, heads_[head]);
    // Columns only grow here; the sources learn their columns at the first token, once for all heads
    // (indexing every head at every attach made a layer of H heads cost H^2).
    add_columns(heads_[head]);
}

void energy_ledger::collect(const sc_object& object, head_sources& sources)
{
    if (const auto* publisher = dynamic_cast<const cost_publisher*>(&object)) {
        for (const cost_counter& c : publisher->cost_counters())
            sources.counters.push_back({c.component, c.part, 0, c.spent, *c.spent});
        for (const static_power& p : publisher->static_powers())
            sources.statics.push_back({p.component, p.part, 0, p.microwatts});
    }
    for (const sc_object* child : object.get_child_objects())
        collect(*child, sources);
}

std::size_t energy_ledger::column_of(const char* component) const
{
    return static_cast<std::size_t>(
        std::find_if(columns_.begin(), columns_.end(), [&](const column& c) { return c.component == component; }) -
        columns_.begin());
}

void energy_ledger::add_columns(const head_sources& head)
{
    for (const source& s : head.counters)
        add_column(s.component, s.part);
    for (const static_source& s : head.statics)
        add_column(s.component, s.part);
    sum_all_.assign(columns_.size(), 0);
    sum_full_.assign(columns_.size(), 0);
}

void energy_ledger::add_column(const char* component, const char* part)
{
    if (column_of(component) < columns_.size())
        return;
    // After the last column of the same or an earlier part: published parts first, then first appearance.
    const std::size_t rank = part_rank(part);
    const auto at = std::find_if(columns_.begin(), columns_.end(),
                                 [&](const column& c) { return part_rank(c.part) > rank; });
    columns_.insert(at, {component, part});
}

void energy_ledger::index(head_sources& head) const
{
    for (source& s : head.counters)
        s.column = column_of(s.component);
    for (static_source& s : head.statics)
        s.column = column_of(s.component);
    head.indexed = true;
}

energy_ledger::row& energy_ledger::pending_row(std::size_t token)
{
    if (token < first_pending_)
        throw std::logic_error("energy ledger: token " + std::to_string(token) + " reported after it was closed");
    while (token >= first_pending_ + pending_.size())
        pending_.push_back({first_pending_ + pending_.size(), amounts(columns_.size(), 0), 0, true});
    return pending_[token - first_pending_];
}

void energy_ledger::on_token(const token_result& r)
{
    row& target = pending_row(r.token);
    // Counted from the mask rather than the token index: a new sequence (token_source) empties the window.
    const auto visible_keys = static_cast<std::size_t>(std::count(r.visible.begin(), r.visible.end(), std::uint8_t{1}));
    target.full_window = target.full_window && visible_keys >= window_;
    head_sources& head = heads_.at(r.head);
    if (!head.indexed)
        index(head);
    for (source& s : head.counters) {
        add(target.energy[s.column], *s.counter - s.last);
        s.last = *s.counter;
    }
    // The head's blocks leaked since its previous report (or the start), whatever they did.
    const sc_time now = sc_time_stamp();
    for (const static_source& s : head.statics)
        add(target.energy[s.column], static_attojoules(s.microwatts, now - head.last_report));
    head.last_report = now;
}

void energy_ledger::on_token_closed(std::size_t token, const sc_time&)
{
    if (pending_.empty() || pending_.front().token != token)
        throw std::logic_error("energy ledger: token " + std::to_string(token) + " closed out of order");
    row& done = pending_.front();
    done.total = 0;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        add(done.total, done.energy[c]);
        add(sum_all_[c], done.energy[c]);
        if (done.full_window)
            add(sum_full_[c], done.energy[c]);
    }
    ++rows_;
    full_rows_ += done.full_window;
    if (sink_)
        sink_(done);
    pending_.pop_front();
    ++first_pending_;
}

}  // namespace gcasim
