#include "util/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace gcasim {

namespace {

std::string error_text(int error)
{
    return error != 0 ? std::strerror(error) : "a write failed (disk full?)";
}

}  // namespace

atomic_file::atomic_file(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp." + std::to_string(::getpid())), out_(), finished_(false),
      committed_(false)
{
    removal_list::add(temporary_);  // before it exists: a signal between open and add leaves nothing
    out_.open(temporary_, std::ios::binary | std::ios::trunc);
    if (!out_) {
        const int error = errno;
        removal_list::drop(temporary_);
        throw std::runtime_error("cannot write '" + temporary_ + "': " + std::strerror(error));
    }
}

atomic_file::~atomic_file()
{
    if (!committed_) {
        out_.close();
        std::remove(temporary_.c_str());
        removal_list::drop(temporary_);
    }
}

void atomic_file::finish()
{
    if (finished_)
        return;
    errno = 0;
    out_.flush();  // a write that failed earlier (disk full) has left the stream failed: checked here
    const bool written = static_cast<bool>(out_);
    const int write_error = errno;
    out_.close();
    if (!written || out_.fail())
        throw std::runtime_error("cannot write '" + temporary_ + "': " + error_text(write_error));
    // The data on the disk before the rename makes it visible (fsync works through any descriptor).
    const int fd = ::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error("cannot sync '" + temporary_ + "' to the disk: " + std::strerror(error));
    }
    ::close(fd);
    struct stat target {};
    if (::stat(path_.c_str(), &target) == 0 && S_ISDIR(target.st_mode))
        throw std::runtime_error("cannot replace '" + path_ + "': it is a folder");
    finished_ = true;
}

void atomic_file::rename_into_place()
{
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
        throw std::runtime_error("cannot rename '" + temporary_ + "' to '" + path_ + "': " + std::strerror(errno));
    committed_ = true;
    removal_list::drop(temporary_);
}

void atomic_file::commit()
{
    finish();
    rename_into_place();
}

namespace removal_list {

namespace {

// Fixed storage: a signal handler can read it while nothing allocates. A path that does not fit
// is not listed (it would be left behind by a signal, nothing worse).
constexpr std::size_t slots = 32, max_path = 4096;
char paths[slots][max_path];
std::atomic<bool> used[slots];
static_assert(std::atomic<bool>::is_always_lock_free, "read from a signal handler");

}  // namespace

void add(const std::string& path)
{
    if (path.size() >= max_path)
        return;
    for (std::size_t i = 0; i < slots; ++i)
        if (!used[i].load()) {
            std::memcpy(paths[i], path.c_str(), path.size() + 1);
            used[i].store(true);
            return;
        }
}

void drop(const std::string& path)
{
    for (std::size_t i = 0; i < slots; ++i)
        if (used[i].load() && path == paths[i]) {
            used[i].store(false);
            return;
        }
}

void remove_all() noexcept
{
    for (std::size_t i = 0; i < slots; ++i)
        if (used[i].load())
            ::unlink(paths[i]);  // fails harmlessly on a folder
    // Folders: a nested one must go before its parent, whatever slots they are in.
    for (bool removed = true; removed;) {
        removed = false;
        for (std::size_t i = 0; i < slots; ++i)
            if (used[i].load() && ::rmdir(paths[i]) == 0) {
                used[i].store(false);
                removed = true;
            }
    }
}

}  // namespace removal_list

}  // namespace gcasim
