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

void compute_pool::submit(job_function function, void* context)
{
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back({function, context});
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
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

void compute_pool::work()
{
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        job j;
        if (take(j)) {
            lock.unlock();
            j.function(j.context);
            const bool last = unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1;
            lock.lock();
            if (last)
                all_done_.notify_all();  // under the lock: join() cannot miss it
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

void compute_pool::join()
{
    std::unique_lock<std::mutex> lock(mutex_);
    job j;
    while (take(j)) {
        lock.unlock();
        j.function(j.context);
        unfinished_.fetch_sub(1, std::memory_order_acq_rel);
        lock.lock();
    }
    // The queue is empty; at most one job per worker is still running.
    lock.unlock();
    spin_until([this] { return unfinished_.load(std::memory_order_acquire) == 0; });
    lock.lock();
    all_done_.wait(lock, [this] { return unfinished_.load(std::memory_order_acquire) == 0; });
    queue_.clear();  // keeps its capacity
    next_ = 0;
}

}  // namespace gcasim
