#include "device/random.h"

#include <cmath>
#include <initializer_list>

namespace gcasim::device {

std::uint64_t splitmix64::next()
{
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double splitmix64::uniform()
{
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double splitmix64::normal()
{
    const double u1 = 1.0 - uniform();  // (0, 1]: log() stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t a, std::uint64_t b, std::uint64_t c)
{
    splitmix64 mix(base);
    std::uint64_t seed = mix.next();
    for (std::uint64_t part : {a, b, c}) {
        splitmix64 step(seed ^ (part * 0xd1b54a32d192ed03ULL));
        seed = step.next();
    }
    return seed;
}

}  // namespace gcasim::device
