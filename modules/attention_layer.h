// A transformer attention layer in gain-cell hardware: H heads working in parallel on their own
// Q/K/V streams, and the energy ledger that all of them report to. Only instantiation and wiring.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "attention_head.h"
#include "config/head_config.h"
#include "config/run_config.h"
#include "energy_ledger.h"

namespace gcasim {

class attention_layer : public sc_core::sc_module {
private:
    std::unique_ptr<compute_pool> pool_;  // before the heads: outlives them

public:
    std::vector<std::unique_ptr<attention_head>> heads;
    energy_ledger ledger;

    /// One head per input stream. `threads` > 1: the arrays' MACs run on that many threads
    /// (the simulation thread and threads - 1 workers); results do not depend on it.
    attention_layer(const sc_core::sc_module_name& name, const config::head_config& head_config,
                    const config::energy_config& energies, const std::vector<token_stream>& inputs,
                    std::size_t threads = 1);
    /// One head per source, each taking its tokens as the source releases them (token_source.h).
    attention_layer(const sc_core::sc_module_name& name, const config::head_config& head_config,
                    const config::energy_config& energies, const std::vector<token_source*>& sources,
                    std::size_t threads = 1);

    /// Every head reports its tokens to `observer` (after the ledger).
    void add_observer(token_observer* observer);
    /// Every head reports phases to `monitor`; `traced_head`'s sub-tiles `traced_tiles` their pulses.
    /// The monitor hears on_token_closed when all heads have finished a token.
    void add_monitor(phase_monitor* monitor, std::size_t traced_head, const std::vector<std::size_t>& traced_tiles);

    /// Called with the token index once every head has finished it.
    void add_token_closed_listener(std::function<void(std::size_t)> listener)
    {
        closed_listeners_.push_back(std::move(listener));
    }

private:
    /// Forward the ledger's "token closed" to the monitors and listeners.
    void listen_to_ledger();

    std::vector<phase_monitor*> monitors_;
    std::vector<std::function<void(std::size_t)>> closed_listeners_;
};

}  // namespace gcasim
