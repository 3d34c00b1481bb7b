// compute_pool: every submitted job runs exactly once before join() returns, whatever the number
// of workers, and the pool can be reused round after round (as the controllers do, per phase).
#include <catch2/catch.hpp>

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
