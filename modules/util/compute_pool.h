// Worker threads for the MAC arithmetic. The pool is lent per transaction: an initiator that puts
// a deferral into the payload (analog_payload::defer) lets the gain-cell arrays queue their MACs on
// it and return from b_transport with only the delay annotated, and joins it before it reads any
// result. Every job writes its own buffers, so the results do not depend on the number of threads.
// Jobs are plain (function, context) pairs kept in a preallocated queue: nothing is allocated per
// token.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace gcasim {

/// Where a target may queue arithmetic instead of doing it at once (analog_payload::defer).
class deferral {
public:
    using job_function = void (*)(void* context);
    virtual void submit(job_function function, void* context) = 0;

protected:
    ~deferral() = default;
};

class compute_pool : public deferral {
public:
    /// The jobs of one initiator (a head's controller). lane::join() waits for these only, so a
    /// head goes on as soon as its own MACs are done while the workers still run the other heads'
    /// (no barrier across heads); while it waits it runs queued jobs of any lane.
    class lane : public deferral {
    public:
        explicit lane(compute_pool& pool) : pool_(pool) {}
        void submit(job_function function, void* context) override { pool_.enqueue(function, context, &pending_); }
        void join() { pool_.join_until(pending_); }

    private:
        compute_pool& pool_;
        std::atomic<std::size_t> pending_{0};  ///< submitted, not yet finished
    };

    /// `threads` workers besides the simulation thread, which helps while it waits in join().
    explicit compute_pool(std::size_t threads);
    ~compute_pool();
    compute_pool(const compute_pool&) = delete;
    compute_pool& operator=(const compute_pool&) = delete;

    /// A job of the pool's own lane.
    void submit(job_function function, void* context) override { enqueue(function, context, &pending_); }
    /// Run queued jobs on this thread too and return when all jobs (of every lane) are done.
    void join() { join_until(unfinished_); }

    std::size_t threads() const { return workers_.size(); }

private:
    struct job {
        job_function function;
        void* context;
        std::atomic<std::size_t>* lane_pending;
    };
    void enqueue(job_function function, void* context, std::atomic<std::size_t>* lane_pending);
    /// Run jobs on this thread until `pending` is 0 (a lane's counter, or unfinished_).
    void join_until(const std::atomic<std::size_t>& pending);
    bool take(job& j);  // with mutex_ held
    void run(const job& j);
    void work();

    std::mutex mutex_;
    std::condition_variable work_ready_, job_done_;
    std::vector<job> queue_;
    std::size_t next_ = 0;
    std::size_t sleeping_workers_ = 0;  ///< workers waiting on work_ready_ (submit wakes one)
    std::size_t joining_ = 0;           ///< threads waiting on job_done_ (a finished job wakes them)
    bool stopping_ = false;
    // A job takes microseconds; a sleep and wake-up takes tens of microseconds, milliseconds on a
    // busy machine. So workers and joins spin briefly on these counters before they sleep.
    std::atomic<std::size_t> queued_{0};      ///< submitted, not yet taken
    std::atomic<std::size_t> unfinished_{0};  ///< submitted, not yet finished (every lane)
    std::atomic<std::size_t> pending_{0};     ///< the pool's own lane
    std::vector<std::thread> workers_;
};

}  // namespace gcasim
