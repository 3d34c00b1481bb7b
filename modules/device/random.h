// Deterministic random numbers for seeded inputs and non-idealities: splitmix64, independent of the
// standard library's distributions, so the same seed gives the same samples on any machine.
#pragma once

#include <cstdint>

namespace gcasim::device {

class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    double uniform();  ///< in [0, 1)
    double normal();   ///< standard normal (Box-Muller)

private:
    std::uint64_t state_;
};

/// A seed for one instance (e.g. head h, sub-tile n, K or V array) derived from a base seed.
std::uint64_t derive_seed(std::uint64_t base, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);

}  // namespace gcasim::device
