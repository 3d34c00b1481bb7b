// Where a binary finds the data it ships with (the platform configs, the trained models). No path of
// the checkout is compiled in: an installed tree, a build tree and a copied checkout each read their own.
#pragma once

#include <filesystem>

namespace gcasim::platform {

/// The environment variable that, set and not empty, names the data folder instead.
inline constexpr const char* data_dir_variable = "GCASIM_DATA_DIR";

/// $GCASIM_DATA_DIR, else share/gcasim beside the binary's folder (BIN/../share/gcasim). In an
/// installed tree (`cmake --install`) that folder holds configs/ and models/; in a build tree CMake
/// makes them relative links to the checkout's platforms/configs/ and models/.
/// Throws std::runtime_error when the binary's own path cannot be read (/proc/self/exe).
std::filesystem::path data_dir();

/// data_dir()/configs, links resolved: the platforms' default JSON configs.
std::filesystem::path config_dir();

/// data_dir()/models, links resolved: the trained language models, one folder per variant.
std::filesystem::path models_dir();

}  // namespace gcasim::platform
