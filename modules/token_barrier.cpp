#include "token_barrier.h"

#include <stdexcept>
#include <string>

namespace gcasim {

token_barrier::token_barrier(std::size_t heads)
    : heads_(heads), observers_(), listeners_(), reported_(), first_open_(0)
{
}

void token_barrier::on_token(const token_result& r)
{
    if (r.token < first_open_)
        throw std::logic_error("token barrier: head " + std::to_string(r.head) + " reported token " +
                               std::to_string(r.token) + " after it closed");
    while (r.token >= first_open_ + reported_.size())
        reported_.push_back(0);
    for (token_observer* observer : observers_)
        observer->on_token(r);
    ++reported_[r.token - first_open_];
    // Heads may run ahead of each other: close every leading token that all heads have finished.
    while (!reported_.empty() && reported_.front() == heads_) {
        reported_.pop_front();
        const std::size_t token = first_open_++;
        for (token_closed_listener* listener : listeners_)
            listener->on_token_closed(token, sc_core::sc_time_stamp());
    }
}

}  // namespace gcasim
