#include "io.h"

#include "config/param_schema.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace gcasim::platform {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::unique_ptr<atomic_file> open_atomic(const std::string& path)
{
    try {
        return std::make_unique<atomic_file>(path);
    } catch (const std::exception& e) {
        throw runtime_failure(e.what());
    }
}

}  // namespace

std::vector<std::string> output_set::names() const
{
    std::vector<std::string> names;
    for (const auto& file : files_)
        names.push_back(file.first);
    return names;
}

output_set::output_set(std::string dir, std::vector<std::string> known_names)
    : dir_(std::move(dir)), known_(std::move(known_names)), files_()
{
}

atomic_file& output_set::add(const std::string& name)
{
    files_.emplace_back(name, open_atomic(path(name)));
    return *files_.back().second;
}

void output_set::commit()
{
    try {
        for (auto& file : files_)  // every file written, synced and checked before any is renamed
            file.second->finish();
        for (auto& file : files_)
            file.second->rename_into_place();
    } catch (const std::exception& e) {
        throw runtime_failure(e.what());  // the temporaries go with the set; the old outputs stay
    }
    for (const std::string& name : known_) {
        const bool produced = std::any_of(files_.begin(), files_.end(), [&](const auto& f) { return f.first == name; });
        if (!produced)
            ::unlink(path(name).c_str());  // unlink, not remove: a folder of that name is not an output
    }
    // Best effort: the renames on the disk too (the files' data already is).
    const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

void prepare_output_dir(const std::string& dir)
{
    // The levels this run creates, outermost first: removed again if a signal ends the run before
    // the simulation starts (platform_cli.h).
    std::vector<fs::path> created;
    std::error_code ec;
    fs::path level = fs::path(dir).lexically_normal();
    if (!level.has_filename())  // "out/"
        level = level.parent_path();
    for (; !level.empty() && !fs::exists(level, ec) && level != level.parent_path(); level = level.parent_path())
        created.insert(created.begin(), level);
    fs::create_directories(dir, ec);
    if (ec)
        throw runtime_failure("cannot create output folder '" + dir + "': " + ec.message());
    for (const fs::path& p : created)
        removal_list::add(p.string());
    if (!fs::is_directory(dir))
        throw runtime_failure("output path '" + dir + "' is not a folder");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw runtime_failure("output folder '" + dir + "' is not writable: " + std::strerror(errno));
}

void write_number(std::ostream& out, double x)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);  // shortest round-trip form
    out.write(buffer, result.ptr - buffer);
}

namespace {

void read_matrix(const json& doc, const char* key, std::size_t dim, double lo, double hi,
                 const std::string& what, std::size_t& tokens, std::vector<double>& values)
{
    const std::string where = what + ": ";
    if (!doc.contains(key))
        throw config::config_error(where + "missing key \"" + key + "\" (expected q, k, v as T x " +
                                    std::to_string(dim) + " arrays)");
    const json& rows = doc.at(key);
    if (!rows.is_array() || rows.empty())
        throw config::config_error(where + "\"" + key + "\" must be a non-empty array of rows");
    if (tokens != 0 && rows.size() != tokens)
        throw config::config_error(where + "\"" + key + "\" has " + std::to_string(rows.size()) +
                                    " rows, q has " + std::to_string(tokens));
    tokens = rows.size();
    values.clear();
    values.reserve(tokens * dim);
    for (std::size_t t = 0; t < rows.size(); ++t) {
        const json& row = rows[t];
        if (!row.is_array() || row.size() != dim)
            throw config::config_error(where + "\"" + key + "\"[" + std::to_string(t) + "] must be an array of " +
                                        std::to_string(dim) + " numbers (head_dim)");
        for (std::size_t d = 0; d < dim; ++d) {
            const json& x = row[d];
            if (!x.is_number())
                throw config::config_error(where + "\"" + key + "\"[" + std::to_string(t) + "][" +
                                            std::to_string(d) + "] is not a number: " + x.dump());
            const double value = x.get<double>();
            if (!std::isfinite(value) || value < lo || value > hi)
                throw config::config_error(where + "\"" + key + "\"[" + std::to_string(t) + "][" +
                                            std::to_string(d) + "] = " + x.dump() + " is outside [" +
                                            config::format_number(lo) + ", " + config::format_number(hi) + "]");
            values.push_back(value);
        }
    }
}

}  // namespace

token_stream parse_token_stream(const json& doc, std::size_t dim, double v_max, const std::string& what)
{
    if (!doc.is_object())
        throw config::config_error(what + ": expected a JSON object {\"q\": ..., \"k\": ..., \"v\": ...}");
    token_stream s;
    s.dim = dim;
    read_matrix(doc, "q", dim, 0.0, 1.0, what, s.tokens, s.q);
    read_matrix(doc, "k", dim, 0.0, v_max, what, s.tokens, s.k);
    read_matrix(doc, "v", dim, 0.0, v_max, what, s.tokens, s.v);
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "q" && it.key() != "k" && it.key() != "v")
            throw config::config_error(what + ": unknown key \"" + it.key() + "\" (expected q, k, v)");
    return s;
}

token_stream random_token_stream(std::size_t tokens, std::size_t dim, double v_max, std::uint64_t seed,
                                 const config::input_config& shape)
{
    token_stream s;
    s.tokens = tokens;
    s.dim = dim;
    splitmix64 rng(seed);
    for (std::vector<double>* m : {&s.q, &s.k, &s.v}) {
        const bool is_q = (m == &s.q);
        const double hi = is_q ? 1.0 : v_max;
        const double mean = is_q ? shape.q_mean : shape.kv_mean;
        const double sigma = is_q ? shape.q_sigma : shape.kv_sigma;
        m->reserve(tokens * dim);  // filled in order, not zeroed first: a tenth of a short run's start-up
        for (std::size_t i = 0; i < tokens * dim; ++i)
            m->push_back(shape.distribution == config::input_distribution::gaussian
                             ? std::clamp(mean + sigma * rng.normal(), 0.0, hi)
                             : hi * rng.uniform());
    }
    return s;
}

}  // namespace gcasim::platform

namespace gcasim::platform {

void write_matrix(std::ostream& out, const char* name, const std::vector<double>& values, std::size_t rows,
                  std::size_t cols, std::size_t stride)
{
    out << "\"" << name << "\": [";
    for (std::size_t r = 0; r < rows; ++r) {
        out << (r ? ",\n  [" : "\n  [");
        for (std::size_t c = 0; c < cols; ++c) {
            if (c)
                out << ",";
            write_number(out, values[r * stride + c]);
        }
        out << "]";
    }
    out << "]";
}

}  // namespace gcasim::platform
