// Worker threads for the MAC arithmetic. The pool is lent per transaction: an initiator that puts
// a deferral into the payload (analog_payload::defer) lets the gain-cell arrays queue their MACs on
// it and return from b_transport with only the delay annotated, and joins it before it reads any
// result. Every job writes its own buffers, so the results do not depend on the number of threads.
//
// A job takes microseconds, so what it costs to hand one over matters: the queue is a bounded ring
// without a lock (a slot's sequence number says whose turn it is), threads spin briefly before they
// sleep, and a lane hands its jobs over in chunks of a few. Nothing is allocated per token.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
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
    /// (no barrier across heads); while it waits it runs queued jobs of any lane. Jobs are queued
    /// in chunks of `chunk_jobs` (one sub-tile's MAC is too short to be worth a hand-over of its
    /// own): flush() queues a partly filled chunk, join() flushes first.
    class lane : public deferral {
    public:
        explicit lane(compute_pool& pool) : pool_(pool) {}
        void submit(job_function function, void* context) override;
        void flush();
        void join();

    private:
        static constexpr std::size_t chunk_jobs = 8;
        struct chunk {
            std::size_t count = 0;
            job_function functions[chunk_jobs];
            void* contexts[chunk_jobs];
        };
        static void run_chunk(void* context);

        compute_pool& pool_;
        std::vector<std::unique_ptr<chunk>> chunks_;  ///< reused after every join: stable addresses
        std::size_t used_ = 0;                        ///< chunks handed out since the last join
        chunk* open_ = nullptr;                       ///< being filled, not yet queued
        std::atomic<std::size_t> pending_{0};         ///< queued, not yet finished
    };

    /// `threads` workers besides the simulation thread, which helps while it waits in join().
    explicit compute_pool(std::size_t threads);
    ~compute_pool();
    compute_pool(const compute_pool&) = delete;
    compute_pool& operator=(const compute_pool&) = delete;

    /// A job of the pool's own lane, queued at once.
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
    /// A ring slot: `sequence` == position: free for the job of that position; == position + 1:
    /// holds it, to be taken.
    struct slot {
        std::atomic<std::size_t> sequence;
        job item;
    };
    static constexpr std::size_t ring_size = 4096;  // a power of two; a full ring runs jobs in place

    void enqueue(job_function function, void* context, std::atomic<std::size_t>* lane_pending);
    bool take(job& j);
    void run(const job& j);
    void work();
    /// Run jobs on this thread until `pending` is 0 (a lane's counter, or unfinished_).
    void join_until(const std::atomic<std::size_t>& pending);
    bool has_work() const;  ///< a job waits in the ring (a hint: another thread may take it first)

    std::unique_ptr<slot[]> ring_;
    alignas(64) std::atomic<std::size_t> enqueue_at_{0};
    alignas(64) std::atomic<std::size_t> dequeue_at_{0};
    alignas(64) std::atomic<std::size_t> unfinished_{0};  ///< submitted, not yet finished (every lane)
    std::atomic<std::size_t> pending_{0};                 ///< the pool's own lane
    // Sleeping is the slow path: a thread announces it in these counters, then checks again under
    // mutex_ before it waits, so a notifier that reads 0 knows the sleeper will see its change.
    alignas(64) std::atomic<std::size_t> sleeping_workers_{0};
    std::atomic<std::size_t> sleeping_joiners_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable work_ready_, job_done_;
    std::vector<std::thread> workers_;
};

}  // namespace gcasim
