#include "model_energy.h"

#include <stdexcept>
#include <string>

namespace gcasim::model {

using namespace sc_core;

namespace {

using engine_parts = model_energy::engine_parts;

engine_parts counters_of(const digital_engine::energy_spent& e) { return {e.mac, e.sram, e.memory, 0}; }

engine_parts minus(const engine_parts& a, const engine_parts& b)
{
    return {a.mac - b.mac, a.sram - b.sram, a.memory - b.memory, a.statics - b.statics};
}

void add_to(engine_parts& sum, const engine_parts& x)
{
    energy_ledger::add(sum.mac, x.mac);
    energy_ledger::add(sum.sram, x.sram);
    energy_ledger::add(sum.memory, x.memory);
    energy_ledger::add(sum.statics, x.statics);
}

/// Share `i` of `n` of `x`: x / n, the remainder with share 0.
attojoules share_of(attojoules x, std::size_t i, std::size_t n)
{
    const attojoules parts = static_cast<attojoules>(n);
    return x / parts + (i == 0 ? x % parts : 0);
}

/// The static energy (aJ) of `engine` over `elapsed`, rounded as the blocks round what they spend.
attojoules static_aj(const digital_engine& engine, const sc_time& elapsed)
{
    attojoules aj = 0;
    spend(aj, engine.static_pj(elapsed) * 1e6);
    return aj;
}

}  // namespace

model_energy::model_energy(atomic_file& file, model_hardware& hw)
    : file_(file), hw_(hw), digital_(hw.digital()), sequence_column_(hw.parameters().model.batch > 1), pending_(),
      charged_(digital_ ? hw.engines.size() : 0), seen_(charged_.size()), last_pass_(charged_.size(), SC_ZERO_TIME)
{
    write_header(hw.layers.front()->attention.front()->ledger.columns());
    for (std::size_t l = 0; l < hw.layers.size(); ++l)
        for (std::size_t s = 0; s < hw.layers[l]->attention.size(); ++s) {
            energy_ledger& ledger = hw.layers[l]->attention[s]->ledger;
            if (ledger.columns().size() != components_)
                throw std::logic_error("energy.csv: layer " + std::to_string(l) + "'s ledger has other columns");
            ledger.set_row_sink([this, l, s](const energy_ledger::row& row) {
                if (digital_)
                    pending_[{l, s, row.token}] = row;  // completed by the layer's pass
                else
                    write_row(row.token, l, s, &row.energy, row.total, nullptr);
            });
        }
    if (digital_)
        hw.on_pass([this](std::size_t stage, const micro_batch& batch) { on_pass(stage, batch); });
}

void model_energy::write_header(const std::vector<energy_ledger::column>& columns)
{
    std::ostream& out = file_.stream();
    out << "token,layer" << (sequence_column_ ? ",sequence" : "");
    for (const energy_ledger::column& c : columns)
        out << "," << c.component << "_pj";
    components_ = columns.size();
    if (digital_)
        out << ",engine_mac_pj,engine_sram_pj,memory_pj,engine_static_pj";
    out << ",total_pj\n";
}

void model_energy::on_pass(std::size_t stage, const micro_batch& batch)
{
    const digital_engine& engine = *hw_.engines[stage];
    const bool head = stage == hw_.layers.size();
    // A layer's engine runs only its own stage's ops, one micro-batch at a time: what its counters
    // gained since its previous pass is this pass's. The head's engine interleaves micro-batches:
    // the model keeps its energy per micro-batch.
    engine_parts spent;
    if (head) {
        spent = counters_of(hw_.head_energy(batch.group));
    } else {
        const engine_parts now = counters_of(engine.energy());
        spent = minus(now, seen_[stage]);
        seen_[stage] = now;
    }
    spent.statics = static_aj(engine, sc_time_stamp() - last_pass_[stage]);
    last_pass_[stage] = sc_time_stamp();
    add_to(charged_[stage], spent);

    const std::size_t m = hw_.parameters().model.group_size(), first = batch.group * m;
    for (std::size_t i = 0; i < m; ++i) {
        const engine_parts share{share_of(spent.mac, i, m), share_of(spent.sram, i, m), share_of(spent.memory, i, m),
                                 share_of(spent.statics, i, m)};
        if (head) {
            write_row(batch.token, stage, first + i, nullptr, 0, &share);
            continue;
        }
        const auto row = pending_.find({stage, first + i, batch.token});
        if (row == pending_.end())
            throw std::logic_error("energy.csv: layer " + std::to_string(stage) + " finished token " +
                                   std::to_string(batch.token) + " of sequence " + std::to_string(first + i) +
                                   " before its attention row");
        write_row(batch.token, stage, first + i, &row->second.energy, row->second.total, &share);
        pending_.erase(row);
    }
}

void model_energy::write_row(std::size_t token, std::size_t stage, std::size_t sequence,
                             const energy_ledger::amounts* attention, energy_ledger::attojoules attention_total,
                             const engine_parts* engine)
{
    std::ostream& out = file_.stream();
    out << token << ",";
    if (stage < hw_.layers.size())
        out << stage;
    else
        out << "head";
    if (sequence_column_)
        out << "," << sequence;
    for (std::size_t c = 0; c < components_; ++c) {
        out << ",";
        platform::write_attojoules(out, attention ? (*attention)[c] : 0);
    }
    attojoules total = attention_total;
    if (engine) {
        for (const attojoules aj : {engine->mac, engine->sram, engine->memory, engine->statics}) {
            out << ",";
            platform::write_attojoules(out, aj);
        }
        energy_ledger::add(total, engine->total());
    }
    out << ",";
    platform::write_attojoules(out, total);
    out << "\n";
}

}  // namespace gcasim::model
