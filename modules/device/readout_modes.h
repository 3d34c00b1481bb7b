// How a head's readout turns the sub-tiles' charges into outputs: the two design choices that the
// readout block, the configuration and the reference model share. Plain C++.
#pragma once

namespace gcasim::device {

/// How the sub-tiles' partial outputs are combined.
enum class combine_mode {
    digital_adders,  ///< one counter conversion per sub-tile, then digital additions (the paper)
    charge_sharing   ///< the sub-tiles' charges shared on one line, then a single conversion
};

/// What the readout counter gives at +-1.
enum class output_clip {
    authors,  ///< round like the authors' code (+-32/31 with 32 levels)
    counter   ///< saturate at +-(levels-1)/2 steps
};

}  // namespace gcasim::device
