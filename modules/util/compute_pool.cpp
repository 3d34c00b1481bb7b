#include "util/compute_pool.h"

#include <chrono>

namespace gcasim {

namespace {

/// How long a thread spins on a counter before it sleeps: longer than the gaps between the MAC
/// bursts of one token, far shorter than a token.
constexpr std::chrono::microseconds spin_time{100};

/// Spin until `done()` or spin_time has passed; true when done.
template <typename Predicate> bool spin_until(Predicate done)
{
    const auto deadline = std::chrono::steady_clock::now() + spin_time;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::yield();  // on a busy machine, let the thread we wait for run
    }
    return true;
}

}  // namespace

compute_pool::compute_pool(std::size_t threads)
{
    queue_.reserve(1024);
    for (std::size_t i = 0; i < threads; ++i)
        workers_.emplace_back([this] { work(); });
}

compute_pool::~compute_pool()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_)
        t.join();
}

void compute_pool::enqueue(job_function function, void* context, std::atomic<std::size_t>* lane_pending)
{
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back({function, context, lane_pending});
        lane_pending->fetch_add(1, std::memory_order_relaxed);
        unfinished_.fetch_add(1, std::memory_order_relaxed);
        queued_.fetch_add(1, std::memory_order_release);
        wake = sleeping_workers_ > 0;
    }
    if (wake)
        work_ready_.notify_one();
}

bool compute_pool::take(job& j)
{
    if (next_ == queue_.size())
        return false;
    j = queue_[next_++];
    if (next_ == queue_.size()) {  // every job taken: reuse the queue from the start (keeps its capacity)
        queue_.clear();
        next_ = 0;
    }
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

void compute_pool::run(const job& j)
{
    j.function(j.context);
    const bool lane_done = j.lane_pending->fetch_sub(1, std::memory_order_acq_rel) == 1;
    const bool all_done = unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1;
    if (lane_done || all_done) {
        std::lock_guard<std::mutex> lock(mutex_);  // under the lock: a join cannot miss it
        if (joining_ > 0)
            job_done_.notify_all();
    }
}

void compute_pool::work()
{
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        job j;
        if (take(j)) {
            lock.unlock();
            run(j);
            lock.lock();
            continue;
        }
        if (stopping_)
            return;
        lock.unlock();
        spin_until([this] { return queued_.load(std::memory_order_acquire) != 0; });
        lock.lock();
        if (next_ != queue_.size() || stopping_)
            continue;
        ++sleeping_workers_;
        work_ready_.wait(lock);
        --sleeping_workers_;
    }
}

void compute_pool::join_until(const std::atomic<std::size_t>& pending)
{
    auto done = [&pending] { return pending.load(std::memory_order_acquire) == 0; };
    std::unique_lock<std::mutex> lock(mutex_);
    job j;
    while (!done() && take(j)) {
        lock.unlock();
        run(j);
        lock.lock();
    }
    // Nothing left to take, or the lane is done; its last jobs may still run on workers.
    lock.unlock();
    if (spin_until(done))
        return;
    lock.lock();
    ++joining_;
    job_done_.wait(lock, done);
    --joining_;
}

}  // namespace gcasim
