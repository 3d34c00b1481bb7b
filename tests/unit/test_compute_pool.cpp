// compute_pool: every submitted job runs exactly once before join() returns, whatever the number
// of workers, and the pool can be reused round after round (as the controllers do, per phase).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "util/compute_pool.h"

using gcasim::compute_pool;

namespace {

struct slot {
    std::atomic<int> runs{0};
    double value = 0;
};

void fill(void* context)
{
    slot* s = static_cast<slot*>(context);
    double x = 1;
    for (int i = 0; i < 2000; ++i)  // a few microseconds of work, like one sub-tile MAC
        x = x * 1.0000001 + 1e-9;
    s->value = x;
    s->runs.fetch_add(1);
}

}  // namespace

TEST_CASE("compute_pool runs every job exactly once per round, for 0 to 3 workers", "[compute_pool]")
{
    for (std::size_t workers : {0u, 1u, 3u}) {
        compute_pool pool(workers);
        CHECK(pool.threads() == workers);
        for (int round = 0; round < 50; ++round) {
            std::vector<slot> slots(1 + (round * 37) % 300);  // sizes from 1 to 300 jobs
            for (slot& s : slots)
                pool.submit(&fill, &s);
            pool.join();
            for (const slot& s : slots) {
                REQUIRE(s.runs.load() == 1);
                REQUIRE(s.value > 1);
            }
        }
        pool.join();  // nothing queued: returns at once
    }
}

TEST_CASE("compute_pool lanes: a lane's join waits for its own jobs, not for the other lanes'", "[compute_pool]")
{
    // No workers: the joining thread runs the jobs itself, in the order they were queued, so what a
    // join leaves undone is deterministic.
    compute_pool pool(0);
    compute_pool::lane first(pool), second(pool);
    std::vector<slot> a(3), b(3);
    for (slot& s : a)
        first.submit(&fill, &s);
    for (slot& s : b)
        second.submit(&fill, &s);
    first.join();
    for (const slot& s : a)
        CHECK(s.runs.load() == 1);
    for (const slot& s : b)
        CHECK(s.runs.load() == 0);  // a join of everything would have run these too
    second.join();
    for (const slot& s : b)
        CHECK(s.runs.load() == 1);
    // With workers, lanes and the pool's own jobs interleaved round after round: each join returns
    // with its own jobs done exactly once.
    for (std::size_t workers : {1u, 3u}) {
        compute_pool threaded(workers);
        compute_pool::lane x(threaded), y(threaded);
        for (int round = 0; round < 50; ++round) {
            std::vector<slot> xs(1 + (round * 13) % 40), ys(1 + (round * 7) % 40), own(5);
            for (std::size_t i = 0; i < std::max(xs.size(), ys.size()); ++i) {
                if (i < xs.size())
                    x.submit(&fill, &xs[i]);
                if (i < ys.size())
                    y.submit(&fill, &ys[i]);
            }
            for (slot& s : own)
                threaded.submit(&fill, &s);
            x.join();
            for (const slot& s : xs)
                REQUIRE(s.runs.load() == 1);
            y.join();
            for (const slot& s : ys)
                REQUIRE(s.runs.load() == 1);
            threaded.join();
            for (const slot& s : own)
                REQUIRE(s.runs.load() == 1);
        }
    }
}

TEST_CASE("compute_pool: jobs past the ring's capacity run in place, each once", "[compute_pool]")
{
    // With no worker nothing is taken before join(): past the ring's 4096 slots submit() runs the
    // job itself. With a worker some are taken meanwhile; either way every job runs exactly once.
    for (std::size_t workers : {0u, 1u}) {
        compute_pool pool(workers);
        compute_pool::lane lane(pool);
        std::vector<slot> own(5000), laned(5000);
        for (std::size_t i = 0; i < own.size(); ++i) {
            pool.submit(&fill, &own[i]);
            lane.submit(&fill, &laned[i]);
        }
        lane.join();
        for (const slot& s : laned)
            REQUIRE(s.runs.load() == 1);
        pool.join();
        for (const slot& s : own)
            REQUIRE(s.runs.load() == 1);
    }
}
