#include "util/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace gcasim {

atomic_file::atomic_file(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp." + std::to_string(::getpid())), out_(), committed_(false)
{
    out_.open(temporary_, std::ios::binary | std::ios::trunc);
    if (!out_)
        throw std::runtime_error("cannot write '" + temporary_ + "': " + std::strerror(errno));
}

atomic_file::~atomic_file()
{
    if (!committed_) {
        out_.close();
        std::remove(temporary_.c_str());
    }
}

void atomic_file::commit()
{
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok || out_.fail())
        throw std::runtime_error("error while writing '" + temporary_ + "' (disk full?)");
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
        throw std::runtime_error("cannot rename '" + temporary_ + "' to '" + path_ + "': " + std::strerror(errno));
    committed_ = true;
}

}  // namespace gcasim
