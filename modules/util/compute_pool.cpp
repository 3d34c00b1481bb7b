#include "util/compute_pool.h"

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace gcasim {

namespace {

/// How long a thread spins before it sleeps: longer than the gaps between the MAC bursts of one
/// token, far shorter than a token. A sleep and wake-up costs tens of microseconds (system calls).
constexpr std::chrono::microseconds spin_time{100};

inline void cpu_relax()
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

/// Spin until `done()` or spin_time has passed; true when done. Now and then it yields, so that on
/// a busy machine the thread it waits for can run.
template <typename Predicate> bool spin_until(Predicate done)
{
    const auto deadline = std::chrono::steady_clock::now() + spin_time;
    for (unsigned i = 1;; ++i) {
        if (done())
            return true;
        cpu_relax();
        if (i % 256 == 0) {
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            std::this_thread::yield();
        }
    }
}

}  // namespace

void compute_pool::lane::submit(job_function function, void* context)
{
    if (!open_) {
        if (used_ == chunks_.size())  // only while the first tokens find the largest batch
            chunks_.push_back(std::make_unique<chunk>());
        open_ = chunks_[used_++].get();
        open_->count = 0;
    }
    open_->functions[open_->count] = function;
    open_->contexts[open_->count] = context;
    if (++open_->count == chunk_jobs)
        flush();
}

void compute_pool::lane::flush()
{
    if (!open_)
        return;
    pool_.enqueue(&lane::run_chunk, open_, &pending_);
    open_ = nullptr;
}

void compute_pool::lane::join()
{
    flush();
    pool_.join_until(pending_);
    used_ = 0;  // every chunk has run: all may be refilled
}

void compute_pool::lane::run_chunk(void* context)
{
    const chunk& c = *static_cast<const chunk*>(context);
    for (std::size_t i = 0; i < c.count; ++i)
        c.functions[i](c.contexts[i]);
}

compute_pool::compute_pool(std::size_t threads) : ring_(new slot[ring_size])
{
    for (std::size_t i = 0; i < ring_size; ++i)
        ring_[i].sequence.store(i, std::memory_order_relaxed);
    for (std::size_t i = 0; i < threads; ++i)
        workers_.emplace_back([this] { work(); });
}

compute_pool::~compute_pool()
{
    stopping_.store(true);
    {
        std::lock_guard<std::mutex> lock(mutex_);  // a worker between its check and its wait sees it
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_)
        t.join();
}

void compute_pool::enqueue(job_function function, void* context, std::atomic<std::size_t>* lane_pending)
{
    std::size_t position = enqueue_at_.load(std::memory_order_relaxed);
    slot* s;
    for (;;) {
        s = &ring_[position % ring_size];
        const auto lag = static_cast<std::intptr_t>(s->sequence.load(std::memory_order_acquire) - position);
        if (lag == 0 && enqueue_at_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed))
            break;
        if (lag < 0) {  // the ring is full: no hand-over, the caller does the job
            function(context);
            return;
        }
        if (lag > 0)
            position = enqueue_at_.load(std::memory_order_relaxed);
    }
    lane_pending->fetch_add(1, std::memory_order_relaxed);
    unfinished_.fetch_add(1, std::memory_order_relaxed);
    s->item = {function, context, lane_pending};
    s->sequence.store(position + 1);  // published (sequentially consistent: see sleeping_workers_)
    if (sleeping_workers_.load() > 0) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        work_ready_.notify_one();
    }
}

bool compute_pool::take(job& j)
{
    std::size_t position = dequeue_at_.load(std::memory_order_relaxed);
    slot* s;
    for (;;) {
        s = &ring_[position % ring_size];
        const auto lag = static_cast<std::intptr_t>(s->sequence.load() - (position + 1));
        if (lag == 0 && dequeue_at_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed))
            break;
        if (lag < 0)
            return false;  // empty
        if (lag > 0)
            position = dequeue_at_.load(std::memory_order_relaxed);
    }
    j = s->item;
    s->sequence.store(position + ring_size, std::memory_order_release);  // free for a lap later
    return true;
}

bool compute_pool::has_work() const
{
    const std::size_t position = dequeue_at_.load();
    return ring_[position % ring_size].sequence.load() == position + 1;
}

void compute_pool::run(const job& j)
{
    j.function(j.context);
    const bool lane_done = j.lane_pending->fetch_sub(1) == 1;
    const bool all_done = unfinished_.fetch_sub(1) == 1;
    if ((lane_done || all_done) && sleeping_joiners_.load() > 0) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        job_done_.notify_all();
    }
}

void compute_pool::work()
{
    auto woken = [this] { return has_work() || stopping_.load(); };
    for (;;) {
        job j;
        if (take(j)) {
            run(j);
            continue;
        }
        if (stopping_.load())
            return;
        if (spin_until(woken))
            continue;
        sleeping_workers_.fetch_add(1);
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, woken);
        }
        sleeping_workers_.fetch_sub(1);
    }
}

void compute_pool::join_until(const std::atomic<std::size_t>& pending)
{
    auto done = [&pending] { return pending.load() == 0; };
    job j;
    while (!done()) {
        if (take(j)) {
            run(j);
            continue;
        }
        // Nothing left to take: this lane's last jobs run on workers.
        if (spin_until([&] { return done() || has_work(); }))
            continue;
        sleeping_joiners_.fetch_add(1);
        {
            std::unique_lock<std::mutex> lock(mutex_);
            job_done_.wait(lock, done);
        }
        sleeping_joiners_.fetch_sub(1);
    }
}

}  // namespace gcasim
