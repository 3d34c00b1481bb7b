#include "data_dir.h"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace gcasim::platform {

namespace fs = std::filesystem;

fs::path data_dir()
{
    if (const char* from_environment = std::getenv(data_dir_variable); from_environment && *from_environment)
        return fs::path(from_environment);
    std::error_code error;
    const fs::path binary = fs::read_symlink("/proc/self/exe", error);
    if (error)
        throw std::runtime_error("cannot tell where this binary is (/proc/self/exe: " + error.message() + "); set " +
                                 data_dir_variable + " to the folder holding configs/ and models/");
    return (binary.parent_path() / ".." / "share" / "gcasim").lexically_normal();
}

namespace {

/// `dir` with links resolved, so that a build tree names the checkout's own folders (its
/// share/gcasim entries are links); as it is when it cannot be resolved (the error comes when read).
fs::path resolved(const fs::path& dir)
{
    std::error_code error;
    const fs::path real = fs::weakly_canonical(dir, error);
    return error ? dir : real;
}

}  // namespace

fs::path config_dir()
{
    return resolved(data_dir() / "configs");
}

fs::path models_dir()
{
    return resolved(data_dir() / "models");
}

}  // namespace gcasim::platform
