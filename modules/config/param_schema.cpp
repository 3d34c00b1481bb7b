#include "config/param_schema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace gcasim::config {

using nlohmann::json;

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string type_name(param_type type)
{
    switch (type) {
    case param_type::integer: return "an integer";
    case param_type::number: return "a number";
    case param_type::boolean: return "a boolean (true|false)";
    case param_type::choice: return "a string";
    }
    return "?";
}

json* lookup(json& config, const std::string& path, bool create)
{
    json* node = &config;
    std::size_t begin = 0;
    while (true) {
        const std::size_t dot = path.find('.', begin);
        const std::string part = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
        if (!node->is_object()) {
            if (!create)
                return nullptr;
            *node = json::object();
        }
        if (!node->contains(part)) {
            if (!create)
                return nullptr;
            (*node)[part] = json();
        }
        node = &(*node)[part];
        if (dot == std::string::npos)
            return node;
        begin = dot + 1;
    }
}

}  // namespace

param_spec integer_param(std::string path, long long def, double min, double max, std::string unit,
                         std::string description)
{
    param_spec p;
    p.path = std::move(path);
    p.type = param_type::integer;
    p.default_value = def;
    p.unit = std::move(unit);
    p.description = std::move(description);
    p.min = min;
    p.max = max;
    return p;
}

param_spec number_param(std::string path, double def, double min, double max, std::string unit,
                        std::string description, bool min_exclusive)
{
    param_spec p = integer_param(std::move(path), 0, min, max, std::move(unit), std::move(description));
    p.type = param_type::number;
    p.default_value = def;
    p.min_exclusive = min_exclusive;
    return p;
}

param_spec choice_param(std::string path, std::string def, std::vector<std::string> choices,
                        std::string description)
{
    param_spec p;
    p.path = std::move(path);
    p.type = param_type::choice;
    p.default_value = std::move(def);
    p.description = std::move(description);
    p.choices = std::move(choices);
    p.min = 1;  // no numeric range
    return p;
}

param_spec bool_param(std::string path, bool def, std::string description)
{
    param_spec p;
    p.path = std::move(path);
    p.type = param_type::boolean;
    p.default_value = def;
    p.description = std::move(description);
    p.min = 1;
    return p;
}

std::string escape_control(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            out += '?';
        else
            out += c;
    }
    return out;
}

std::string show(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);  // never throws on bad UTF-8
}

std::string format_number(double x)
{
    char text[32];
    int digits = 1;  // 17 significant digits always read back exactly
    for (; digits < 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, x);
        if (std::strtod(text, nullptr) == x)
            break;
    }
    // Below 1e7 without an exponent: 10, not 1e+01.
    if (std::fabs(x) >= 1 && std::fabs(x) < 1e7)
        digits = std::max(digits, static_cast<int>(std::log10(std::fabs(x))) + 1);
    std::snprintf(text, sizeof text, "%.*g", digits, x);
    return text;
}

std::string allowed_text(const param_spec& spec)
{
    if (spec.type == param_type::boolean)
        return "true or false";
    if (spec.type == param_type::choice) {
        std::string text;
        for (const auto& c : spec.choices)
            text += (text.empty() ? "" : ", ") + c;
        return "one of " + text;
    }
    std::string text;
    if (spec.min <= spec.max)
        text = (spec.min_exclusive ? "> " : "") +
               (spec.min_exclusive ? format_number(spec.min) + " and <= " : format_number(spec.min) + " .. ") +
               format_number(spec.max);
    else
        text = "any " + std::string(spec.type == param_type::integer ? "integer" : "number");
    if (!spec.unit.empty())
        text += " (" + spec.unit + ")";
    if (spec.unit == "ns")
        text += " in steps of " + format_number(time_resolution_ns) + " ns";
    return text;
}

void param_schema::add(param_spec spec)
{
    if (find(spec.path))
        throw std::logic_error("duplicate parameter " + spec.path);
    // A duration is recognised by its unit (checked against the time resolution): its name says so too.
    const bool named_ns = spec.path.size() > 3 && spec.path.compare(spec.path.size() - 3, 3, "_ns") == 0;
    if (named_ns != (spec.unit == "ns"))
        throw std::logic_error("parameter " + spec.path + ": a duration ends in _ns and has the unit ns");
    check_value(spec, spec.default_value);
    params_.push_back(std::move(spec));
}

const param_spec* param_schema::find(const std::string& path) const
{
    for (const auto& p : params_)
        if (p.path == path)
            return &p;
    return nullptr;
}

json param_schema::defaults() const
{
    json config = json::object();
    for (const auto& p : params_)
        *lookup(config, p.path, true) = p.default_value;
    return config;
}

std::string param_schema::nearest(const std::string& path, bool groups) const
{
    // Candidates: every key and, for a config file, every group ("cel" -> "cell"); never the path itself.
    std::set<std::string> candidates;
    for (const auto& p : params_) {
        candidates.insert(p.path);
        for (std::size_t dot = p.path.find('.'); groups && dot != std::string::npos; dot = p.path.find('.', dot + 1))
            candidates.insert(p.path.substr(0, dot));
    }
    candidates.erase(path);
    std::string best;
    std::size_t best_distance = std::string::npos;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(path, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    if (best.empty() || best_distance > std::max<std::size_t>(3, path.size() / 3))
        return "";
    return best;
}

void param_schema::check_value(const param_spec& spec, const json& value) const
{
    const std::string key = "config key '" + spec.path + "': ";
    bool type_ok = false;
    switch (spec.type) {
    case param_type::integer: type_ok = value.is_number_integer(); break;
    case param_type::number: type_ok = value.is_number(); break;
    case param_type::boolean: type_ok = value.is_boolean(); break;
    case param_type::choice: type_ok = value.is_string(); break;
    }
    if (!type_ok)
        throw config_error(key + "expected " + type_name(spec.type) + ", got " + show(value) +
                           "; allowed: " + allowed_text(spec));
    if (spec.type == param_type::choice) {
        const auto& choices = spec.choices;
        if (std::find(choices.begin(), choices.end(), value.get<std::string>()) == choices.end())
            throw config_error(key + "value " + show(value) + " is not allowed; allowed: " +
                               allowed_text(spec));
        return;
    }
    if (spec.type == param_type::integer || spec.type == param_type::number) {
        if (!std::isfinite(value.get<double>()))
            throw config_error(key + "value " + show(value) + " is not finite");
        // long double holds every 64-bit integer exactly: 2^53 + 1 must not pass as 2^53.
        const long double x = value.is_number_unsigned()  ? static_cast<long double>(value.get<std::uint64_t>())
                              : value.is_number_integer() ? static_cast<long double>(value.get<std::int64_t>())
                                                          : static_cast<long double>(value.get<double>());
        if (spec.min <= spec.max) {
            const bool below = spec.min_exclusive ? !(x > spec.min) : x < spec.min;
            if (below || x > spec.max)
                throw config_error(key + "value " + show(value) + " is out of range; allowed: " +
                                   allowed_text(spec));
        }
        // A duration SystemC can hold: whole steps of its resolution, up to the rounding noise of a
        // decimal value in a double (about 1e-16 relative), never a digit a user typed.
        const double steps = value.get<double>() / time_resolution_ns;
        if (spec.unit == "ns" && std::fabs(steps - std::round(steps)) > 1e-12 * std::max(1.0, steps))
            throw config_error(key + "value " + show(value) + " ns is not a whole number of the simulator's time "
                               "resolution " + format_number(time_resolution_ns) + " ns (SystemC would make it " +
                               format_number(std::round(steps) * time_resolution_ns) + " ns); allowed: " +
                               allowed_text(spec));
    }
}

void param_schema::validate(const json& config) const
{
    // Walk the given config: every leaf must be a known key with a valid value.
    std::vector<std::pair<std::string, const json*>> stack{{"", &config}};
    if (!config.is_object())
        throw config_error("config must be a JSON object, got " + std::string(config.type_name()));
    while (!stack.empty()) {
        auto [prefix, node] = stack.back();
        stack.pop_back();
        for (auto it = node->begin(); it != node->end(); ++it) {
            const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
            if (it.key().find('.') != std::string::npos || it.key().empty())
                throw config_error("config key '" + path + "': a config file nests groups as objects (e.g. {\"cell\": {\"nonlinearity\": "
                                   "...}}); dotted paths are for --set");
            if (const param_spec* spec = find(path)) {
                check_value(*spec, it.value());
                continue;
            }
            const bool is_group = std::any_of(params_.begin(), params_.end(), [&](const param_spec& p) {
                return p.path.compare(0, path.size() + 1, path + ".") == 0;
            });
            if (is_group && it.value().is_object()) {
                stack.emplace_back(path, &it.value());
                continue;
            }
            if (is_group)
                throw config_error("config key '" + path + "': expected an object (a group of keys), got " +
                                   show(it.value()));
            const std::string suggestion = nearest(path, true);
            throw config_error("unknown config key '" + path + "'" +
                               (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                               "; --list-params shows all keys");
        }
    }
}

void param_schema::apply_override(json& config, const std::string& assignment) const
{
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw config_error("--set '" + assignment + "': expected key=value, e.g. --set window=128");
    const std::string path = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    const param_spec* spec = find(path);
    if (!spec) {
        const std::string suggestion = nearest(path, false);
        throw config_error("--set: unknown config key '" + path + "'" +
                           (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                           "; --list-params shows all keys");
    }
    const std::string key = "--set " + path + ": ";
    json value;
    switch (spec->type) {
    case param_type::integer: {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0')
            throw config_error(key + "value '" + text + "' is not an integer; allowed: " + allowed_text(*spec));
        if (errno == ERANGE)  // beyond 64 bits, and so beyond every integer key's range
            throw config_error(key + "value '" + text + "' is out of range; allowed: " + allowed_text(*spec));
        value = v;
        break;
    }
    case param_type::number: {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v))
            throw config_error(key + "value '" + text + "' is not a finite number; allowed: " +
                               allowed_text(*spec));
        // ERANGE also flags denormals (1e-310), which are fine; only a value that reads as 0 is not.
        if (errno == ERANGE && v == 0)
            throw config_error(key + "value '" + text + "' is below the smallest double (it would read as 0); allowed: " +
                               allowed_text(*spec));
        value = v;
        break;
    }
    case param_type::boolean:
        if (text != "true" && text != "false")
            throw config_error(key + "value '" + text + "' is not a boolean; allowed: true or false");
        value = (text == "true");
        break;
    case param_type::choice:
        value = text;
        break;
    }
    check_value(*spec, value);
    *lookup(config, path, true) = value;
}

std::string provenance_kind(const std::string& source)
{
    for (const char* kind : {"paper", "derived", "assumed"})
        if (source.rfind(std::string(kind) + ": ", 0) == 0 && source.size() > std::strlen(kind) + 2)
            return kind;
    return "";
}

std::string param_schema::describe() const
{
    std::ostringstream out;
    for (const auto& p : params_) {
        out << p.path << " = " << show(p.default_value) << "\n    " << p.description
            << "\n    allowed: " << allowed_text(p) << "\n";
        if (!p.source.empty())
            out << "    source: " << p.source << "\n";
    }
    return out.str();
}

void merge_into(json& base, const json& overlay)
{
    for (auto it = overlay.begin(); it != overlay.end(); ++it) {
        if (it.value().is_object() && base.contains(it.key()) && base[it.key()].is_object())
            merge_into(base[it.key()], it.value());
        else
            base[it.key()] = it.value();
    }
}

json read_json_file(const std::string& file, const std::string& what)
{
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw config_error("cannot read " + what + " '" + file + "': it is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw config_error("cannot read " + what + " '" + file + "': " + std::strerror(errno));
    // The parser's callback sees each object's keys in order: a key given twice is an error (json
    // keeps the last one, other readers the first).
    struct level {
        std::string path;
        bool object;
        std::set<std::string> keys;
        std::string last_key;
    };
    std::vector<level> levels;
    const json::parser_callback_t check_keys = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
            std::string path;
            if (!levels.empty())
                path = levels.back().object ? (levels.back().path.empty() ? "" : levels.back().path + ".") +
                                                  levels.back().last_key
                                            : levels.back().path + "[]";
            levels.push_back({path, event == json::parse_event_t::object_start, {}, {}});
        } else if (event == json::parse_event_t::object_end || event == json::parse_event_t::array_end) {
            levels.pop_back();
        } else if (event == json::parse_event_t::key) {
            level& here = levels.back();
            here.last_key = parsed.get<std::string>();
            if (!here.keys.insert(here.last_key).second)
                throw config_error(what + " '" + file + "': key '" +
                                   (here.path.empty() ? "" : here.path + ".") + here.last_key +
                                   "' appears twice; give each key once");
        }
        return true;
    };
    try {
        return json::parse(in, check_keys);
    } catch (const json::exception& e) {  // syntax errors, and numbers out of range (1e400)
        std::string message = e.what();
        const std::size_t bracket = message.find("] ");
        if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
            message = message.substr(bracket + 2);
        throw config_error("malformed JSON in " + what + " '" + file + "': " + message);
    }
}

const json& at_path(const json& config, const std::string& path)
{
    json* node = lookup(const_cast<json&>(config), path, false);
    if (!node)
        throw config_error("config key '" + path + "' is missing");
    return *node;
}

}  // namespace gcasim::config
