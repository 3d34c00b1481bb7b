#include "util/compute_pool.h"

namespace gcasim {

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
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back({function, context});
    }
    work_ready_.notify_one();
}

bool compute_pool::take(job& j)
{
    if (next_ == queue_.size())
        return false;
    j = queue_[next_++];
    ++running_;
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
            lock.lock();
            if (--running_ == 0 && next_ == queue_.size())
                all_done_.notify_all();
            continue;
        }
        if (stopping_)
            return;
        work_ready_.wait(lock);
    }
}

void compute_pool::join()
{
    std::unique_lock<std::mutex> lock(mutex_);
    job j;
    while (take(j)) {
        lock.unlock();
        j.function(j.context);
        lock.lock();
        --running_;
    }
    all_done_.wait(lock, [this] { return running_ == 0 && next_ == queue_.size(); });
    queue_.clear();  // keeps its capacity
    next_ = 0;
}

}  // namespace gcasim
