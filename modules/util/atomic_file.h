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

    /// Flush, check for write errors and rename into place. Throws std::runtime_error on failure.
    void commit();

private:
    std::string path_, temporary_;
    std::ofstream out_;
    bool committed_;
};

}  // namespace gcasim
