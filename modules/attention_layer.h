// A transformer attention layer in gain-cell hardware: H heads working in parallel on their own
// Q/K/V streams, the token barrier that tells when all of them have finished a token, and the
// energy ledger that sums what their blocks publish. Only instantiation and wiring.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "attention_head.h"
#include "config/head_config.h"
#include "energy_ledger.h"
#include "token_barrier.h"

namespace gcasim {

class attention_layer : public sc_core::sc_module {
private:
    std::unique_ptr<compute_pool> pool_;  // before the heads: outlives them

public:
    std::vector<std::unique_ptr<attention_head>> heads;
    /// First observer of every head; everything that waits for whole tokens subscribes here.
    token_barrier barrier;
    /// The barrier's first observer and first listener.
    energy_ledger ledger;

    /// One head per input stream. `threads` > 1: the arrays' MACs run on that many threads
    /// (the simulation thread and threads - 1 workers); results do not depend on it.
    attention_layer(const sc_core::sc_module_name& name, const config::head_config& head_config,
                    const std::vector<token_stream>& inputs,
                    std::size_t threads = 1);
    /// One head per source, each taking its tokens as the source releases them (token_source.h).
    attention_layer(const sc_core::sc_module_name& name, const config::head_config& head_config,
                    const std::vector<token_source*>& sources,
                    std::size_t threads = 1);

    /// Every head's token results go to `observer` (after the ledger).
    void add_observer(token_observer* observer) { barrier.add_observer(observer); }
    /// Every head reports phases to `monitor`; `traced_head`'s sub-tiles `traced_tiles` their pulses.
    /// The monitor hears on_token_closed from the barrier.
    void add_monitor(phase_monitor* monitor, std::size_t traced_head, const std::vector<std::size_t>& traced_tiles);
    /// Called with the token index once every head has finished it.
    void add_token_closed_listener(std::function<void(std::size_t)> listener);

private:
    class function_listener : public token_closed_listener {
    public:
        explicit function_listener(std::function<void(std::size_t)> f) : f_(std::move(f)) {}
        void on_token_closed(std::size_t token, const sc_core::sc_time&) override { f_(token); }

    private:
        std::function<void(std::size_t)> f_;
    };

    /// The barrier hears every head first; the ledger hears the barrier first.
    void wire_observers();

    std::vector<std::unique_ptr<function_listener>> function_listeners_;
};

}  // namespace gcasim
