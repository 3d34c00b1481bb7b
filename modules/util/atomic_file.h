// An output file that appears whole or not at all: written under a temporary name beside the
// target and renamed on commit(); removed if never committed (error, interrupt).
#pragma once

#include <fstream>
#include <string>

namespace gcasim {

class atomic_file {
public:
    explicit atomic_file(std::string path);
    ~atomic_file();
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    std::ostream& stream() { return out_; }
    const std::string& path() const { return path_; }

    /// Flush, close, fsync and check the temporary file, and that the target can take its place;
    /// the file keeps its temporary name. Throws std::runtime_error on failure. A set of files calls
    /// this for every file before renaming any (all or nothing).
    void finish();
    /// Rename the finished temporary into place. Throws std::runtime_error on failure.
    void rename_into_place();
    /// finish() and rename_into_place(), for a file on its own.
    void commit();

private:
    std::string path_, temporary_;
    std::ofstream out_;
    bool finished_, committed_;
};

/// Paths to remove should the process have to end at once (a signal before the simulation starts):
/// the temporaries of uncommitted atomic_files and the output folders a run created. add() and
/// drop() on the main thread only; remove_all() is async-signal-safe.
namespace removal_list {
void add(const std::string& path);
void drop(const std::string& path);
/// Unlink the files, then rmdir the folders (those that are empty by then).
void remove_all() noexcept;
}  // namespace removal_list

}  // namespace gcasim
