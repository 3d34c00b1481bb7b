// A small parameter registry in the shape of Accellera CCI: every key has a path, a type, a default,
// a unit, an allowed range and a description. Configs (JSON files and --set overrides) are checked
// against it; any problem is a config_error naming the key, the value and what is allowed.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gcasim::config {

/// Control characters of user input (a key with a newline, say) shown escaped: messages stay one line.
std::string escape_control(const std::string& text);

/// A configuration problem (bad key, type, value or combination): exit code 2 at the CLI. The
/// message is always one line.
class config_error : public std::runtime_error {
public:
    explicit config_error(const std::string& message) : std::runtime_error(escape_control(message)) {}
};

enum class param_type { integer, number, boolean, choice };

/// The simulator's time step: SystemC's default resolution, 1 ps, which no gcasim program changes
/// (unit_config checks it against SystemC). Every duration key (unit "ns") must be a whole number of it:
/// SystemC would round any other value, 0.0004 ns to 0 and 10.0004 ns to 10 ns.
constexpr double time_resolution_ns = 0.001;

struct param_spec {
    std::string path;         ///< dotted key, e.g. "cell.leakage.tau_ns"
    param_type type;
    nlohmann::json default_value;
    std::string unit;         ///< "ns" (a duration, see time_resolution_ns), "V", "tokens", "" for dimensionless
    std::string description;
    double min = 0.0, max = 0.0;  ///< inclusive range for integer/number (ignored if min > max)
    bool min_exclusive = false;   ///< value must be > min rather than >= min
    std::vector<std::string> choices;  ///< allowed strings for `choice`
    /// Where a cost parameter's value comes from: "paper: <figure/section>", "derived: <formula>" or
    /// "assumed: <why>" (see provenance_kind); empty for keys that are choices rather than figures.
    std::string source;
};

/// The kind of a source ("paper", "derived", "assumed"), or "" when the source is empty or malformed.
std::string provenance_kind(const std::string& source);
inline std::string paper(const std::string& where) { return "paper: " + where; }
inline std::string derived(const std::string& formula) { return "derived: " + formula; }
inline std::string assumed(const std::string& why) { return "assumed: " + why; }

/// What a key allows, as --list-params and the messages say it: "1 .. 65536 (tokens)", "one of a, b".
std::string allowed_text(const param_spec& spec);

/// Builders for the four kinds of parameter.
param_spec integer_param(std::string path, long long def, double min, double max, std::string unit,
                         std::string description);
param_spec number_param(std::string path, double def, double min, double max, std::string unit,
                        std::string description, bool min_exclusive = false);
param_spec choice_param(std::string path, std::string def, std::vector<std::string> choices,
                        std::string description);
param_spec bool_param(std::string path, bool def, std::string description);

class param_schema {
public:
    void add(param_spec spec);
    const param_spec* find(const std::string& path) const;
    const std::vector<param_spec>& params() const { return params_; }

    /// Nested JSON with every key at its default.
    nlohmann::json defaults() const;

    /// Check a nested JSON config: unknown keys (with the nearest valid name), types, ranges.
    void validate(const nlohmann::json& config) const;

    /// Apply "path=value" to a nested config; the value is parsed as the key's type.
    void apply_override(nlohmann::json& config, const std::string& assignment) const;

    /// Human-readable table of all parameters (for --list-params and the docs).
    std::string describe() const;

private:
    void check_value(const param_spec& spec, const nlohmann::json& value) const;
    /// The closest key (and, with `groups`, group) to a misspelt path; "" when none is close.
    std::string nearest(const std::string& path, bool groups) const;
    std::vector<param_spec> params_;
};

/// Merge `overlay` into `base` key by key (objects recursively, leaves replaced).
void merge_into(nlohmann::json& base, const nlohmann::json& overlay);

/// Read a JSON file; malformed JSON is reported with line and column, a key given twice in one
/// object (which JSON parsers resolve differently, silently) is an error naming it.
nlohmann::json read_json_file(const std::string& file, const std::string& what);

/// Value at a dotted path of a nested JSON (must exist).
const nlohmann::json& at_path(const nlohmann::json& config, const std::string& path);

/// What a value looks like in a message: strings quoted, numbers as written.
std::string show(const nlohmann::json& value);

/// A number in a message: the shortest text that reads back as the same double (1048576, 0.1,
/// 9007199254740992, 1e+15), so a range never seems to hold a value it rejects.
std::string format_number(double x);

}  // namespace gcasim::config
