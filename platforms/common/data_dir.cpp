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

fs::path config_dir()
{
    return data_dir() / "configs";
}

fs::path models_dir()
{
    return data_dir() / "models";
}

}  // namespace gcasim::platform
