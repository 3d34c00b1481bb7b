// File input and output shared by the platforms: atomic writes, input streams, number formatting.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "device/random.h"
#include "token_stream.h"
#include "util/atomic_file.h"

namespace gcasim::platform {

/// A failure while running (I/O, simulation): exit code 1 at the CLI.
class runtime_failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The files of one run, written under temporary names and committed together at the end, so
/// that a failing run changes nothing in the folder: commit() writes, syncs and checks every file
/// before it renames any (a full disk leaves the old set as it was). At commit, outputs of an
/// earlier run that this run did not produce (e.g. trace.vcd from a run with traces on) are
/// removed, so the folder always holds one run's outputs.
class output_set {
public:
    output_set(std::string dir, std::vector<std::string> known_names);
    atomic_file& add(const std::string& name);
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    /// The names added so far, in order.
    std::vector<std::string> names() const;
    void commit();

private:
    std::string dir_;
    std::vector<std::string> known_;
    std::vector<std::pair<std::string, std::unique_ptr<atomic_file>>> files_;
};

/// Create the output folder (and parents); checks that it is writable. The folders it creates are
/// removed again if a signal ends the run before the simulation starts.
void prepare_output_dir(const std::string& dir);

/// Shortest text that reads back as the same double (JSON number).
void write_number(std::ostream& out, double x);

/// Load {"q": T x d, "k": T x d, "v": T x d} from a JSON object; checks shape and ranges.
/// `what` names the source in messages.
token_stream parse_token_stream(const nlohmann::json& doc, std::size_t dim, double v_max, const std::string& what);

/// Seeded synthetic inputs: uniform over q in [0,1], k and v in [0, v_max], or clipped Gaussians.
/// Same seed, same stream on any machine.
token_stream random_token_stream(std::size_t tokens, std::size_t dim, double v_max, std::uint64_t seed,
                                 const config::input_config& shape = {});

/// The deterministic generator of seeded inputs (device/random.h).
using device::splitmix64;

}  // namespace gcasim::platform

namespace gcasim::platform {

/// Write `"name": [[...], ...]`: the top-left rows x cols of a row-major matrix with `stride` columns.
void write_matrix(std::ostream& out, const char* name, const std::vector<double>& values, std::size_t rows,
                  std::size_t cols, std::size_t stride);

}  // namespace gcasim::platform
