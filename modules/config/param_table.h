// One declaration per parameter, in the style of VCML's property<T> and Accellera CCI: a table per
// config struct names, for every key, its path, the member it fills, its default, unit, range and
// description. The schema (validation, --set, --list-params, the docs) and the parser both come from
// that table, so a parameter is declared once and its member is named after its key.
#pragma once

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/param_schema.h"

namespace gcasim::config {

/// The key path and the member it fills, written once: GCASIM_KEY(cell.leakage.tau_ns) is the path
/// "cell.leakage.tau_ns" and an accessor of `config.cell.leakage.tau_ns`. The key and its member
/// cannot drift apart.
#define GCASIM_KEY(member) #member, [](auto& config) -> auto& { return config.member; }

/// One declared parameter of the config struct `Config`: its schema entry and how its value goes
/// into the struct and back.
template <typename Config> struct declared_param {
    param_spec spec;
    std::function<void(Config&, const nlohmann::json&)> store;
    std::function<nlohmann::json(const Config&)> load;

    /// The same parameter with its provenance: paper("Fig. 4"), derived("a*b"), assumed("why").
    declared_param from(std::string source) &&
    {
        spec.source = std::move(source);
        return std::move(*this);
    }
};

/// The declarations of one config struct, e.g. head_config or trace_config.
template <typename Config> class param_table {
public:
    using param = declared_param<Config>;

    /// `group` prefixes every path ("trace" makes vcd the key trace.vcd);
    /// "" for a struct whose members are top-level keys.
    param_table(const std::string& group, std::vector<param> params) : params_(std::move(params))
    {
        if (!group.empty())
            for (param& p : params_)
                p.spec.path = group + "." + p.spec.path;
    }

    template <typename Access>
    static param integer(const char* path, Access access, long long def, double min, double max, std::string unit,
                         std::string description)
    {
        return {integer_param(path, def, min, max, std::move(unit), std::move(description)), store_as(access),
                load_as(access)};
    }

    /// `min_exclusive`: the value must be > min (a duration or a scale that cannot be 0).
    template <typename Access>
    static param number(const char* path, Access access, double def, double min, double max, std::string unit,
                        std::string description, bool min_exclusive = false)
    {
        return {number_param(path, def, min, max, std::move(unit), std::move(description), min_exclusive),
                store_as(access), load_as(access)};
    }

    template <typename Access> static param boolean(const char* path, Access access, bool def, std::string description)
    {
        return {bool_param(path, def, std::move(description)), store_as(access), load_as(access)};
    }

    /// A key whose strings name the values of the enum member: `names` in the order --list-params shows.
    template <typename Access, typename Enum>
    static param choice(const char* path, Access access, Enum def, std::vector<std::pair<std::string, Enum>> names,
                        std::string description)
    {
        std::vector<std::string> choices;
        std::string def_name;
        for (const auto& [name, value] : names) {
            choices.push_back(name);
            if (value == def)
                def_name = name;
        }
        auto store = [access, names](Config& config, const nlohmann::json& value) {
            for (const auto& [name, e] : names)
                if (value.get<std::string>() == name)
                    access(config) = e;
        };
        auto load = [access, names](const Config& config) {
            for (const auto& [name, e] : names)
                if (access(config) == e)
                    return nlohmann::json(name);
            return nlohmann::json();
        };
        return {choice_param(path, def_name, std::move(choices), std::move(description)), store, load};
    }

    const std::vector<param>& params() const { return params_; }

    /// Register every key of the table.
    void add_to(param_schema& schema) const
    {
        for (const param& p : params_)
            schema.add(p.spec);
    }

    /// The struct of a validated nested config (every key present).
    Config parse(const nlohmann::json& config) const
    {
        Config c{};
        for (const param& p : params_)
            p.store(c, at_path(config, p.spec.path));
        return c;
    }

    /// The keys of a struct as a nested config (parse() the other way round).
    nlohmann::json to_config(const Config& c) const
    {
        nlohmann::json config = nlohmann::json::object();
        for (const param& p : params_)
            config[nlohmann::json::json_pointer("/" + replace_dots(p.spec.path))] = p.load(c);
        return config;
    }

    /// The struct with every member at its declared default.
    Config defaults() const
    {
        Config c{};
        for (const param& p : params_)
            p.store(c, p.spec.default_value);
        return c;
    }

private:
    template <typename Access> static std::function<void(Config&, const nlohmann::json&)> store_as(Access access)
    {
        using member = std::remove_reference_t<decltype(access(std::declval<Config&>()))>;
        return [access](Config& config, const nlohmann::json& value) { access(config) = value.get<member>(); };
    }

    template <typename Access> static std::function<nlohmann::json(const Config&)> load_as(Access access)
    {
        return [access](const Config& config) { return nlohmann::json(access(config)); };
    }

    static std::string replace_dots(std::string path)
    {
        for (char& c : path)
            if (c == '.')
                c = '/';
        return path;
    }

    std::vector<param> params_;
};

}  // namespace gcasim::config
