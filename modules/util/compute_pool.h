// Worker threads for the MAC arithmetic. The pool is lent per transaction: an initiator that puts
// it into the payload (analog_payload::defer) lets the gain-cell arrays queue their MACs on it and
// return from b_transport with only the delay annotated, and joins it before it reads any result.
// Every job writes its own buffers, so the results do not depend on the number of threads. Jobs
// are plain (function, context) pairs kept in a preallocated queue: nothing is allocated per token.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace gcasim {

class compute_pool {
public:
    using job_function = void (*)(void* context);

    /// `threads` workers besides the simulation thread, which helps while it waits in join().
    explicit compute_pool(std::size_t threads);
    ~compute_pool();
    compute_pool(const compute_pool&) = delete;
    compute_pool& operator=(const compute_pool&) = delete;

    void submit(job_function function, void* context);
    /// Run queued jobs on this thread too and return when all are done.
    void join();

    std::size_t threads() const { return workers_.size(); }

private:
    struct job {
        job_function function;
        void* context;
    };
    bool take(job& j);  // with mutex_ held
    void work();

    std::mutex mutex_;
    std::condition_variable work_ready_, all_done_;
    std::vector<job> queue_;
    std::size_t next_ = 0;
    std::size_t sleeping_workers_ = 0;  ///< workers waiting on work_ready_ (submit wakes one)
    bool stopping_ = false;
    // A job takes microseconds; a sleep and wake-up takes tens of microseconds, milliseconds on a
    // busy machine. So workers and join() spin briefly on these counters before they sleep.
    std::atomic<std::size_t> queued_{0};      ///< submitted, not yet taken
    std::atomic<std::size_t> unfinished_{0};  ///< submitted, not yet finished
    std::vector<std::thread> workers_;
};

}  // namespace gcasim
