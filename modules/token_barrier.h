// The layer's token barrier: hears every head's finished tokens and tells its subscribers when all
// heads have finished a token. Observers (token_observer) hear each head's result as it comes,
// listeners (token_closed_listener) each closed token, in token order: the energy ledger, the
// tracers, a Ctrl-C check, a model driver waiting for a layer's outputs. Plain C++; the heads call
// it from their SystemC threads.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include <systemc>

#include "head_monitor.h"

namespace gcasim {

class token_barrier : public token_observer {
public:
    explicit token_barrier(std::size_t heads);

    /// Hears each head's token result (in subscription order, before the token can close).
    void add_observer(token_observer* observer) { observers_.push_back(observer); }
    /// Hears each token once every head has finished it (in subscription order).
    void add_listener(token_closed_listener* listener) { listeners_.push_back(listener); }

    void on_token(const token_result& result) override;

    std::size_t heads() const { return heads_; }
    /// Tokens closed so far (every head finished them).
    std::size_t tokens_closed() const { return first_open_; }

private:
    std::size_t heads_;
    std::vector<token_observer*> observers_;
    std::vector<token_closed_listener*> listeners_;
    std::deque<std::size_t> reported_;  ///< heads reported per open token, from first_open_ on
    std::size_t first_open_;
};

}  // namespace gcasim
