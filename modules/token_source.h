// Where a head's controller gets each token's q, k, v. Two kinds:
// - preloaded_source: a whole token_stream known before the run, token t released at t * period
//   (the head and layer platforms);
// - streamed_source: filled token by token by a producer thread while the simulation runs, e.g. a
//   model driver whose layer l+1 inputs at token t depend on layer l's outputs at token t.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include <systemc>

#include "token_stream.h"

namespace gcasim {

class token_source {
public:
    virtual ~token_source() = default;
    virtual std::size_t dim() const = 0;
    /// Called from the controller's thread: returns once token t is available (true), or when the
    /// stream has ended before it (false). May wait in simulated time.
    virtual bool wait_for_token(std::size_t t) = 0;
    /// Earliest start of token t; it starts later if the head is still busy with earlier work.
    virtual sc_core::sc_time release_time(std::size_t t) const = 0;
    /// Token t opens a new sequence: the controller empties its window (an empty KV cache) first.
    virtual bool starts_sequence(std::size_t t) const = 0;
    virtual const double* q_row(std::size_t t) const = 0;
    virtual const double* k_row(std::size_t t) const = 0;
    virtual const double* v_row(std::size_t t) const = 0;
};

/// A stream known in advance: one sequence, token t released at t * period.
class preloaded_source : public token_source {
public:
    preloaded_source(const token_stream& stream, const sc_core::sc_time& period) : stream_(stream), period_(period) {}

    std::size_t dim() const override { return stream_.dim; }
    bool wait_for_token(std::size_t t) override { return t < stream_.tokens; }
    sc_core::sc_time release_time(std::size_t t) const override { return static_cast<double>(t) * period_; }
    bool starts_sequence(std::size_t t) const override { return t == 0; }
    const double* q_row(std::size_t t) const override { return stream_.q_row(t); }
    const double* k_row(std::size_t t) const override { return stream_.k_row(t); }
    const double* v_row(std::size_t t) const override { return stream_.v_row(t); }

private:
    const token_stream& stream_;
    sc_core::sc_time period_;
};

/// Tokens pushed one at a time by a producer thread; released when pushed. Keeps only the tokens
/// the consumer has not finished (it asks for t only after it is done with t - 1).
class streamed_source : public token_source {
public:
    explicit streamed_source(std::size_t dim) : dim_(dim), first_(0), closed_(false), pushed_() {}

    /// Append the next token (the producer's current simulated time is its release time).
    void push(const double* q, const double* k, const double* v, bool new_sequence)
    {
        tokens_.push_back({std::vector<double>(q, q + dim_), std::vector<double>(k, k + dim_),
                           std::vector<double>(v, v + dim_), sc_core::sc_time_stamp(), new_sequence});
        pushed_.notify(sc_core::SC_ZERO_TIME);
    }
    /// No more tokens: a consumer waiting for one returns false.
    void close()
    {
        closed_ = true;
        pushed_.notify(sc_core::SC_ZERO_TIME);
    }

    std::size_t dim() const override { return dim_; }
    bool wait_for_token(std::size_t t) override
    {
        while (first_ < t && !tokens_.empty()) {  // the consumer is done with the tokens before t
            tokens_.pop_front();
            ++first_;
        }
        while (t >= first_ + tokens_.size()) {
            if (closed_)
                return false;
            sc_core::wait(pushed_);
        }
        return true;
    }
    sc_core::sc_time release_time(std::size_t t) const override { return at(t).pushed_at; }
    bool starts_sequence(std::size_t t) const override { return at(t).new_sequence; }
    const double* q_row(std::size_t t) const override { return at(t).q.data(); }
    const double* k_row(std::size_t t) const override { return at(t).k.data(); }
    const double* v_row(std::size_t t) const override { return at(t).v.data(); }

private:
    struct token {
        std::vector<double> q, k, v;
        sc_core::sc_time pushed_at;
        bool new_sequence;
    };
    const token& at(std::size_t t) const { return tokens_.at(t - first_); }

    std::size_t dim_, first_;
    bool closed_;
    std::deque<token> tokens_;
    sc_core::sc_event pushed_;  ///< unnamed: many sources live in one module
};

}  // namespace gcasim
