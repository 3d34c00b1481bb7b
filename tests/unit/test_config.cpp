// Configuration: the head's parameter schema, validation messages (key, bad value, what is
// allowed), --set overrides and the defaults <- file <- overrides merge.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <systemc>

#include "common/data_dir.h"
#include "common/layer_run.h"
#include "common/platform_cli.h"
#include "config/head_config.h"
#include "config/head_timing.h"
#include "config/param_schema.h"
#include "config/platform_params.h"
#include "config/run_config.h"
#include "energy_ledger.h"

using namespace gcasim::config;
using gcasim::platform::load_config;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

param_schema head_schema()
{
    param_schema s;
    add_head_params(s);
    return s;
}

/// Runs `action`, requires a config_error whose message contains every one of `parts`.
template <typename F> std::string require_config_error(F action, std::initializer_list<std::string> parts)
{
    std::string message;
    try {
        action();
    } catch (const config_error& e) {
        message = e.what();
    }
    INFO("message: " << message);
    REQUIRE_FALSE(message.empty());
    for (const auto& part : parts)
        CHECK_THAT(message, Catch::Matchers::Contains(part));
    return message;
}

std::string validate_error(const json& config, std::initializer_list<std::string> parts)
{
    const param_schema s = head_schema();
    return require_config_error([&] { s.validate(config); }, parts);
}

std::string override_error(const std::string& assignment, std::initializer_list<std::string> parts)
{
    const param_schema s = head_schema();
    json config = s.defaults();
    return require_config_error([&] { s.apply_override(config, assignment); }, parts);
}

/// parse_head_config of the defaults with some overrides.
head_config head_with(std::initializer_list<std::string> overrides)
{
    const param_schema s = head_schema();
    return parse_head_config(load_config(s, "", overrides));
}

/// A file in a fresh temporary folder, removed with the object.
class temp_file {
public:
    temp_file(const std::string& name, const std::string& text)
    {
        static int counter = 0;
        dir_ = fs::temp_directory_path() /
               ("gcasim_unit_config_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(dir_);
        path_ = (dir_ / name).string();
        std::ofstream(path_) << text;
    }
    ~temp_file() { fs::remove_all(dir_); }
    const std::string& path() const { return path_; }

private:
    fs::path dir_;
    std::string path_;
};

/// A valid value of `spec` other than its default.
json another_value(const param_spec& spec)
{
    const json& def = spec.default_value;
    switch (spec.type) {
    case param_type::boolean: return !def.get<bool>();
    case param_type::choice: return spec.choices.front() == def ? spec.choices.back() : spec.choices.front();
    case param_type::integer: return def.get<double>() + 1 <= spec.max ? def.get<long long>() + 1 : static_cast<long long>(spec.min);
    case param_type::number: return (def.get<double>() + spec.max) / 2;
    }
    return def;
}

/// For each key of `table`: a config with that key changed, parsed into the struct and written back,
/// is the same config. A key that filled another key's member, or none, would come back at its default.
template <typename Config> void check_keys_fill_their_members(const param_table<Config>& table)
{
    const json defaults = table.to_config(table.defaults());
    for (const auto& p : table.params()) {
        json config = defaults;
        std::string pointer = "/" + p.spec.path;
        std::replace(pointer.begin(), pointer.end(), '.', '/');
        config[json::json_pointer(pointer)] = another_value(p.spec);
        INFO("key " << p.spec.path << " = " << show(config[json::json_pointer(pointer)]));
        CHECK(config != defaults);
        CHECK(table.to_config(table.parse(config)) == config);
    }
}

}  // namespace

TEST_CASE("every declared key fills the member of its own name, and no other", "[config]")
{
    check_keys_fill_their_members(head_params());
    check_keys_fill_their_members(trace_params());
    check_keys_fill_their_members(input_params(input_distribution::gaussian));
    check_keys_fill_their_members(output_params());
    check_keys_fill_their_members(sim_params());
    check_keys_fill_their_members(layer_platform_params());
    check_keys_fill_their_members(head_platform_params());
}

TEST_CASE("a platform's schema holds the head's keys and its own", "[config]")
{
    for (const std::string& platform : platform_names()) {
        param_schema s;
        add_platform_params(s, platform);
        for (const auto& p : head_params().params())
            CHECK(s.find(p.spec.path));
        CHECK(static_cast<bool>(s.find("heads")) == (platform != "attention_head"));
        // A model preset (platforms/configs/models/) runs on the layer platform and the model's.
        CHECK(static_cast<bool>(s.find("model.layers")) == (platform != "attention_head"));
        CHECK(static_cast<bool>(s.find("model.batch")) == (platform == "gpt_model"));
        CHECK(static_cast<bool>(s.find("output.attention_matrices")) == (platform == "attention_head"));
        CHECK(static_cast<bool>(s.find("trace.vcd")) == (platform != "gpt_model"));
    }
    param_schema s;
    CHECK_THROWS_AS(add_platform_params(s, "attention_tile"), std::invalid_argument);
    // The Markdown table says where a key exists and where defaults differ.
    const std::string table = markdown_keys();
    CHECK_THAT(table, Catch::Matchers::Contains("| `heads` | `12` | integer 1 .. 4096 | attention_layer, gpt_model |"));
    CHECK_THAT(table, Catch::Matchers::Contains("attention_head `\"uniform\"`, attention_layer `\"gaussian\"`, gpt_model `\"gaussian\"`"));
    CHECK_THAT(table, Catch::Matchers::Contains("| `window` | `1024` | integer 1 .. 65536 (tokens) | all |"));
}


TEST_CASE("the defaults validate and parse into default_head_config()", "[config]")
{
    // The default values themselves are declared once (head_params()) and documented from there
    // (config_doc); here: they form a valid, nested config that the parser and the one declaration agree on.
    const param_schema s = head_schema();
    const json d = s.defaults();
    REQUIRE_NOTHROW(s.validate(d));
    CHECK(d["cell"]["leakage"].contains("tau_ns"));  // nested, not a dotted key
    const head_config h = parse_head_config(d);
    CHECK(head_params().to_config(h) == head_params().to_config(default_head_config()));
    CHECK(head_params().to_config(h) == d);
}

TEST_CASE("sub-tiles = ceil(window / tokens per tile), ring slots = sub-tiles * tile", "[config]")
{
    const head_config w100 = head_with({"window=100"});
    CHECK(w100.sub_tiles() == 2);
    CHECK(w100.ring_slots() == 128);
    CHECK(head_with({"window=64"}).sub_tiles() == 1);
    CHECK(head_with({"window=65"}).sub_tiles() == 2);
    CHECK(head_with({"window=1"}).sub_tiles() == 1);
    CHECK(head_with({"window=1"}).ring_slots() == 64);
    const head_config small_tiles = head_with({"window=128", "array.tokens=32"});
    CHECK(small_tiles.sub_tiles() == 4);
    CHECK(small_tiles.ring_slots() == 128);
    const head_config odd = head_with({"window=100", "array.tokens=30"});
    CHECK(odd.sub_tiles() == 4);
    CHECK(odd.ring_slots() == 120);
}

TEST_CASE("parse_head_config maps the choices", "[config]")
{
    const head_config h = head_with({"cell.nonlinearity=linear", "cell.leakage.model=current", "cell.polarity=-1",
                                     "quant.out_clip=counter", "readout.combine=charge_sharing",
                                     "quant.enabled=false"});
    CHECK(h.cell.nonlinearity == gcasim::device::nonlinearity::linear);
    CHECK(h.cell.leakage.model == gcasim::device::leakage_form::current);
    CHECK(h.cell.polarity == -1);
    CHECK(h.quant.out_clip == output_clip::counter);
    CHECK(h.readout.combine == combine_mode::charge_sharing);
    CHECK_FALSE(h.quant.enabled);
    CHECK(head_with({"cell.leakage.model=none"}).cell.leakage.model == gcasim::device::leakage_form::none);
    CHECK(to_string(combine_mode::charge_sharing) == "charge_sharing");
    CHECK(to_string(combine_mode::digital_adders) == "digital_adders");
}

TEST_CASE("unknown keys are named, with the nearest valid key", "[config][errors]")
{
    validate_error(json::parse(R"({"cell": {"leakage": {"tau": 5}}})"),
                   {"unknown config key 'cell.leakage.tau'", "did you mean 'cell.leakage.tau_ns'"});
    validate_error(json::parse(R"({"widow": 128})"), {"'widow'", "did you mean 'window'"});
    const std::string far = validate_error(json::parse(R"({"zzzzzzzzzzzzzzzzzzzz": 1})"),
                                           {"unknown config key 'zzzzzzzzzzzzzzzzzzzz'"});
    CHECK_THAT(far, !Catch::Matchers::Contains("did you mean"));
    override_error("cell.leakage.tau=5", {"unknown config key 'cell.leakage.tau'", "'cell.leakage.tau_ns'"});
}

TEST_CASE("wrong types name the key, the value and the expected type", "[config][errors]")
{
    validate_error(json::parse(R"({"window": "128"})"), {"'window'", "an integer", "\"128\"", "1 .. 65536"});
    validate_error(json::parse(R"({"window": 64.5})"), {"'window'", "an integer", "64.5"});
    validate_error(json::parse(R"({"quant": {"enabled": 1}})"),
                   {"'quant.enabled'", "a boolean", "got 1", "true or false"});
    validate_error(json::parse(R"({"cell": {"leakage": {"tau_ns": "5ms"}}})"),
                   {"'cell.leakage.tau_ns'", "a number", "\"5ms\""});
    validate_error(json::parse(R"({"cell": {"nonlinearity": 3}})"), {"'cell.nonlinearity'", "a string", "polynomial, linear"});
    validate_error(json::parse(R"({"window": null})"), {"'window'", "null"});
}

TEST_CASE("out-of-range values name the key, the value and the range", "[config][errors]")
{
    validate_error(json::parse(R"({"window": 0})"), {"'window'", "value 0", "out of range", "1 .. 65536", "tokens"});
    validate_error(json::parse(R"({"window": -3})"), {"'window'", "-3", "out of range"});
    validate_error(json::parse(R"({"window": 70000})"), {"'window'", "70000", "out of range"});
    validate_error(json::parse(R"({"cell": {"leakage": {"tau_ns": 0}}})"),
                   {"'cell.leakage.tau_ns'", "value 0", "out of range", "> 0", "ns"});
    validate_error(json::parse(R"({"cell": {"leakage": {"tau_ns": -1.5}}})"), {"'cell.leakage.tau_ns'", "-1.5"});
    validate_error(json::parse(R"({"quant": {"q_levels": 1}})"), {"'quant.q_levels'", "value 1", "2 .."});
    validate_error(json::parse(R"({"cell": {"polarity": 2}})"), {"'cell.polarity'", "value 2"});
}

TEST_CASE("a choice outside the list names the allowed ones", "[config][errors]")
{
    validate_error(json::parse(R"({"cell": {"nonlinearity": "cubic"}})"),
                   {"'cell.nonlinearity'", "\"cubic\"", "not allowed", "polynomial, linear"});
    validate_error(json::parse(R"({"readout": {"combine": "adders"}})"),
                   {"'readout.combine'", "\"adders\"", "digital_adders, charge_sharing"});
    override_error("cell.leakage.model=exp", {"'cell.leakage.model'", "\"exp\"", "none, voltage, current"});
}

TEST_CASE("a group given as a leaf, and a non-object config", "[config][errors]")
{
    validate_error(json::parse(R"({"cell": 3})"), {"'cell'", "expected an object", "3"});
    validate_error(json::parse(R"({"cell": {"leakage": "voltage"}})"), {"'cell.leakage'", "expected an object", "\"voltage\""});
    validate_error(json::parse("[1, 2]"), {"must be a JSON object", "array"});
}

TEST_CASE("rules across keys: phases vs token period, read phases vs T_max, polarity 0", "[config][errors]")
{
    const param_schema s = head_schema();
    require_config_error([&] { head_with({"timing.token_period_ns=50"}); },
                         {"'timing.token_period_ns'", "50 ns", "65 ns", "shorter"});
    require_config_error([&] { head_with({"timing.token_period_ns=64.9"}); }, {"64.9 ns", "65 ns"});
    CHECK(head_with({"timing.token_period_ns=65"}).timing.token_period_ns == 65);
    // A longer phase raises the minimum period: T_max 15 -> 20 lengthens qk and pv by 5 cycles each.
    require_config_error([&] { head_with({"timing.token_period_ns=70", "pulse.t_max_ns=20"}); },
                         {"70 ns", "75 ns", "75 cycles of 1 ns"});
    // A slower clock: every phase is whole cycles of it (5+8+8+17+8 cycles of 2 ns: 92 ns).
    require_config_error([&] { head_with({"timing.token_period_ns=91", "timing.clock_period_ns=2"}); },
                         {"91 ns", "92 ns", "46 cycles of 2 ns"});
    CHECK(head_with({"timing.token_period_ns=92", "timing.clock_period_ns=2"}).timing.token_period_ns == 92);
    require_config_error([&] { head_with({"cell.polarity=0"}); }, {"'cell.polarity'", "value 0", "1 or -1"});
}

TEST_CASE("--set syntax errors", "[config][errors]")
{
    override_error("window", {"'window'", "expected key=value"});
    override_error("=3", {"'=3'", "expected key=value"});
    override_error("window=abc", {"--set window", "'abc'", "not an integer", "1 .. 65536"});
    override_error("window=64.5", {"'64.5'", "not an integer"});
    override_error("window=", {"not an integer"});
    override_error("window=99999999999999999999999", {"'99999999999999999999999' is out of range", "1 .. 65536"});
    override_error("window=0", {"'window'", "value 0", "out of range"});
    override_error("quant.enabled=yes", {"--set quant.enabled", "'yes'", "not a boolean", "true or false"});
    override_error("quant.enabled=1", {"'1'", "not a boolean"});
    override_error("timing.token_period_ns=nan", {"--set timing.token_period_ns", "'nan'", "not a finite number"});
    override_error("timing.token_period_ns=inf", {"'inf'", "not a finite number"});
    override_error("timing.token_period_ns=1e999", {"not a finite number"});
    override_error("timing.token_period_ns=80ns", {"'80ns'", "not a finite number"});
    override_error("cell=3", {"unknown config key 'cell'"});
}

TEST_CASE("apply_override sets nested values with the key's type", "[config]")
{
    const param_schema s = head_schema();
    json c = s.defaults();
    s.apply_override(c, "cell.leakage.tau_ns=2500");
    s.apply_override(c, "window=128");
    s.apply_override(c, "quant.enabled=false");
    s.apply_override(c, "readout.combine=charge_sharing");
    s.apply_override(c, "pulse.t_max_ns=1.5e1");
    CHECK(c["cell"]["leakage"]["tau_ns"].get<double>() == 2500.0);
    CHECK(c["cell"]["leakage"]["model"] == "voltage");  // sibling untouched
    CHECK(c["window"].is_number_integer());
    CHECK(c["window"] == 128);
    CHECK(c["quant"]["enabled"] == false);
    CHECK(c["readout"]["combine"] == "charge_sharing");
    CHECK(c["pulse"]["t_max_ns"].get<double>() == 15.0);
    CHECK(at_path(c, "cell.leakage.tau_ns").get<double>() == 2500.0);
    REQUIRE_NOTHROW(s.validate(c));

    // Into an empty config: the groups are created.
    json empty = json::object();
    s.apply_override(empty, "cell.leakage.model=current");
    CHECK(empty == json::parse(R"({"cell": {"leakage": {"model": "current"}}})"));
    require_config_error([&] { at_path(empty, "cell.leakage.tau_ns"); }, {"'cell.leakage.tau_ns'", "missing"});
}

TEST_CASE("merge order: defaults <- file <- overrides", "[config]")
{
    const param_schema s = head_schema();
    const temp_file file("head.json", R"({"window": 256, "cell": {"leakage": {"model": "current"}, "polarity": -1}})");
    const json c = load_config(s, file.path(), {"window=128", "cell.leakage.tau_ns=1000", "window=96"});
    CHECK(c["window"] == 96);                               // last override wins over the file
    CHECK(c["cell"]["leakage"]["model"] == "current");      // from the file
    CHECK(c["cell"]["leakage"]["tau_ns"].get<double>() == 1000.0);  // override
    CHECK(c["cell"]["polarity"] == -1);                     // from the file
    CHECK(c["cell"]["nonlinearity"] == "polynomial");       // default kept next to file keys
    CHECK(c["head_dim"] == 64);                             // default
    const json file_only = load_config(s, file.path(), {});
    CHECK(file_only["window"] == 256);
    CHECK(file_only["cell"]["leakage"]["tau_ns"].get<double>() == 5e6);

    json base = json::parse(R"({"a": {"b": 1, "c": 2}, "d": 3})");
    merge_into(base, json::parse(R"({"a": {"c": 5}, "e": 6})"));
    CHECK(base == json::parse(R"({"a": {"b": 1, "c": 5}, "d": 3, "e": 6})"));
}

TEST_CASE("config files: malformed JSON with line and column, missing file, bad key names the file",
          "[config][errors]")
{
    const param_schema s = head_schema();
    const temp_file bad("bad.json", "{\n  \"window\": 128,\n  \"head_dim\": ,\n  \"array\": {}\n}\n");
    require_config_error([&] { load_config(s, bad.path(), {}); },
                         {"malformed JSON", bad.path(), "line 3", "column 15"});
    const std::string missing = "/nonexistent-gcasim-dir/config.json";
    require_config_error([&] { load_config(s, missing, {}); }, {"cannot read config file", missing,
                                                                "No such file"});
    const temp_file unknown("unknown.json", R"({"timing": {"token_period": 800}})");
    require_config_error([&] { load_config(s, unknown.path(), {}); },
                         {"'timing.token_period'", "did you mean 'timing.token_period_ns'", unknown.path()});
    const temp_file range("range.json", R"({"window": 0})");
    require_config_error([&] { load_config(s, range.path(), {}); }, {"'window'", "value 0", range.path()});
    // Overrides are checked even when the file is fine.
    const temp_file good("good.json", R"({"window": 100})");
    require_config_error([&] { load_config(s, good.path(), {"window=abc"}); }, {"'abc'"});
}

TEST_CASE("the head part of the shipped attention_head config is valid", "[config]")
{
    // The platform adds groups of its own (energy, trace, ...): keep the head's keys only.
    const param_schema s = head_schema();
    json file = read_json_file((gcasim::platform::config_dir() / "attention_head.json").string(), "config file");
    json head = json::object();
    for (auto it = file.begin(); it != file.end(); ++it)
        for (const param_spec& p : s.params())
            if (p.path == it.key() || p.path.rfind(it.key() + ".", 0) == 0)
                head[it.key()] = it.value();
    REQUIRE_NOTHROW(s.validate(head));
    json c = s.defaults();
    merge_into(c, head);
    const head_config h = parse_head_config(c);
    CHECK(h.window == 128);
    CHECK(h.sub_tiles() == 2);
    // Two sub-tiles: 1 adder stage + 1 scale + 2 routing cycles (64 x 6 bits on 256) = 4 digital cycles.
    CHECK(head_phases_ns(h) == 10 + 15 + 15 + 17 + 4);
}

TEST_CASE("describe lists every key with its default and range", "[config]")
{
    const param_schema s = head_schema();
    const std::string text = s.describe();
    for (const param_spec& p : s.params())
        CHECK_THAT(text, Catch::Matchers::Contains(p.path + " = "));
    CHECK_THAT(text, Catch::Matchers::Contains("window = 1024"));
    CHECK_THAT(text, Catch::Matchers::Contains("allowed: one of none, voltage, current"));
    CHECK_THROWS_AS(head_schema().add(integer_param("window", 1, 0, 2, "", "dup")), std::logic_error);
}

// --- issue 11: accepted input must never give a wrong result ---------------------------------

namespace {

/// {"a": {"b": value}} for the path "a.b".
json nested(const std::string& path, const json& value)
{
    const std::size_t dot = path.find('.');
    return dot == std::string::npos ? json{{path, value}} : json{{path.substr(0, dot), nested(path.substr(dot + 1), value)}};
}

}  // namespace

TEST_CASE("time_resolution_ns is SystemC's resolution", "[config][time]")
{
    CHECK(sc_core::sc_get_time_resolution() == sc_core::sc_time(1, sc_core::SC_PS));
    CHECK(sc_core::sc_time(time_resolution_ns, sc_core::SC_NS) == sc_core::sc_get_time_resolution());
}

TEST_CASE("every duration key is a whole number of 1 ps steps, in one place of the schema", "[config][time]")
{
    const param_schema s = head_schema();
    std::size_t durations = 0;
    for (const param_spec& p : s.params()) {
        if (p.unit != "ns")
            continue;
        ++durations;
        INFO(p.path);
        const double base = p.default_value.get<double>();
        const std::vector<std::string> off_step = {std::to_string(base + 0.0004), std::to_string(base + 0.0009), "0.0004"};
        for (const std::string& value : off_step) {
            override_error(p.path + "=" + value, {"'" + p.path + "'", "time resolution 0.001 ns", "steps of 0.001 ns"});
            validate_error(nested(p.path, std::stod(value)), {"'" + p.path + "'", "0.001 ns"});
        }
    }
    CHECK(durations > 0);  // the loop saw the duration keys (their number grows with the cost model)
    override_error("pulse.t_max_ns=15.0004", {"value 15.0004 ns", "SystemC would make it 15 ns"});
    override_error("cell.leakage.tau_ns=0.0004", {"value 0.0004 ns", "SystemC would make it 0 ns"});
    // Decimal values whose binary double is a hair off the step are what they say.
    json c = s.defaults();
    for (const char* ok : {"dac.settle_ns=0.3", "pulse.t_max_ns=15.001", "cell.leakage.tau_ns=0.001",
                           "refresh.age_ns=1e15", "timing.token_period_ns=800.0000000000001"})
        CHECK_NOTHROW(s.apply_override(c, ok));
    CHECK_NOTHROW(s.validate(nested("cell.leakage.tau_ns", 800 / 0.00016)));  // gpt_model's tau from decay_per_step
    // A key named *_ns must carry the unit ns (and so the check), and the other way round.
    param_schema t;
    CHECK_THROWS_AS(t.add(number_param("timing.extra_ns", 1, 0, 2, "", "no unit")), std::logic_error);
    CHECK_THROWS_AS(t.add(number_param("timing.extra", 1, 0, 2, "ns", "no suffix")), std::logic_error);
}

TEST_CASE("integers are compared exactly beyond 2^53 and parsed beyond 64 bits", "[config][numbers]")
{
    validate_error(json::parse(R"({"noise": {"seed": 9007199254740993}})"),
                   {"'noise.seed'", "value 9007199254740993 is out of range", "0 .. 9007199254740992"});
    validate_error(json::parse(R"({"noise": {"seed": 18446744073709551615}})"), {"18446744073709551615", "out of range"});
    override_error("noise.seed=9007199254740993", {"9007199254740993", "out of range"});
    override_error("noise.seed=18446744073709551616", {"'18446744073709551616' is out of range", "9007199254740992"});
    override_error("window=-99999999999999999999", {"is out of range"});
    const param_schema s = head_schema();
    json c = s.defaults();
    CHECK_NOTHROW(s.apply_override(c, "noise.seed=9007199254740992"));
    CHECK(parse_head_config(c).noise.seed == 9007199254740992ull);
    CHECK_NOTHROW(s.validate(json::parse(R"({"noise": {"seed": 9007199254740992}})")));
}

TEST_CASE("denormals are numbers; a value that underflows to 0 is refused", "[config][numbers]")
{
    const param_schema s = head_schema();
    json c = s.defaults();
    CHECK_NOTHROW(s.apply_override(c, "cell.v_max=1e-310"));
    CHECK(c["cell"]["v_max"].get<double>() > 0);
    CHECK_NOTHROW(s.apply_override(c, "noise.read_sigma=4.9e-324"));
    override_error("cell.v_max=1e-400", {"'1e-400' is below the smallest double", "> 0"});
    override_error("cell.v_max=1e999", {"not a finite number"});
}

TEST_CASE("numbers in messages read back as the same double", "[config][numbers]")
{
    CHECK(format_number(10) == "10");
    CHECK(format_number(0.1) == "0.1");
    CHECK(format_number(0.001) == "0.001");
    CHECK(format_number(1048576) == "1048576");
    CHECK(format_number(5e6) == "5000000");
    CHECK(format_number(1e15) == "1e+15");
    CHECK(format_number(9007199254740992.0) == "9007199254740992");
    CHECK(format_number(800.0000000000001) == "800.0000000000001");
    CHECK(format_number(-2.5) == "-2.5");
    for (const double x : {1.0 / 3, 2.0 / 3 * 1e-300, 123456789.125, 1e-7, 65.001})
        CHECK(std::stod(format_number(x)) == x);
    override_error("quant.q_levels=1048577", {"allowed: 2 .. 1048576 (levels)"});
    require_config_error([&] { head_with({"timing.token_period_ns=1000000.001", "timing.clock_period_ns=40000"}); },
                         {"value 1000000.001 ns", "(1120000 ns"});
}

TEST_CASE("a misspelt group in a config file gets the nearest group", "[config][errors]")
{
    validate_error(json::parse(R"({"cel": {"nonlinearity": "linear"}})"), {"'cel'", "did you mean 'cell'"});
    validate_error(json::parse(R"({"cell": {"leakge": {"model": "none"}}})"),
                   {"'cell.leakge'", "did you mean 'cell.leakage'"});
    validate_error(json::parse(R"({"timming": {"clock_period_ns": 1}})"), {"did you mean 'timing'"});
    // --set names whole keys: a group is no answer there.
    override_error("cel.nonlinearity=linear", {"did you mean 'cell.nonlinearity'"});
    const std::string group = override_error("cell=3", {"unknown config key 'cell'"});
    CHECK_THAT(group, !Catch::Matchers::Contains("did you mean 'cell'"));
}

TEST_CASE("a key given twice in a JSON file is refused, naming the key and the file", "[config][errors]")
{
    const param_schema s = head_schema();
    const temp_file top("top.json", R"({"window": 64, "head_dim": 8, "window": 32})");
    require_config_error([&] { load_config(s, top.path(), {}); },
                         {"config file '" + top.path() + "'", "key 'window' appears twice"});
    const temp_file nested("nested.json", R"({"cell": {"leakage": {"tau_ns": 5e6, "model": "none", "tau_ns": 1e6}}})");
    require_config_error([&] { load_config(s, nested.path(), {}); }, {"key 'cell.leakage.tau_ns' appears twice"});
    const temp_file in_array("array.json", R"({"heads": [{"q": [], "k": []}, {"q": [], "q": []}]})");
    require_config_error([&] { read_json_file(in_array.path(), "input file"); },
                         {"input file '" + in_array.path() + "'", "key 'heads[].q' appears twice"});
    // The same key in two different objects is fine.
    const temp_file siblings("siblings.json", R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})");
    CHECK(read_json_file(siblings.path(), "file")["b"]["x"] == 2);
}

TEST_CASE("quant.out_levels needs a nonzero level: at least 3", "[config][numbers]")
{
    validate_error(json::parse(R"({"quant": {"out_levels": 2}})"), {"'quant.out_levels'", "value 2", "3 .. 1048576"});
    CHECK(head_with({"quant.out_levels=3"}).quant.out_levels == 3);
    const param_schema s = head_schema();
    CHECK_THAT(s.find("quant.out_levels")->description, Catch::Matchers::Contains("every output rounds to 0"));
}

TEST_CASE("energies are exact 128-bit attojoules: no overflow, no malformed number", "[energy]")
{
    using gcasim::energy_ledger;
    const auto csv = [](energy_ledger::attojoules aj) {
        std::ostringstream out;
        gcasim::platform::write_attojoules(out, aj);
        return out.str();
    };
    CHECK(csv(0) == "0.000000");
    CHECK(csv(1) == "0.000001");
    CHECK(csv(2578125) == "2.578125");
    const energy_ledger::attojoules int64_max = 9223372036854775807;
    CHECK(csv(int64_max) == "9223372036854.775807");
    CHECK(csv(int64_max + 1) == "9223372036854.775808");  // wrapped to a negative number in 64 bits
    const energy_ledger::attojoules max = ~energy_ledger::attojoules{0};
    CHECK(csv(max) == "340282366920938463463374607431768.211455");  // 2^128 - 1
    energy_ledger::attojoules sum = int64_max;
    energy_ledger::add(sum, int64_max);
    CHECK(csv(sum) == "18446744073709.551614");
    sum = max;
    CHECK_THROWS_AS(energy_ledger::add(sum, 1), std::overflow_error);
    // The summary's means: far beyond 64 bits, positive.
    const std::vector<energy_ledger::column> columns = {{"k_array", "qk"}, {"control", "digital"}};
    energy_ledger::amounts amounts = {0, int64_max * 4};
    const json report = gcasim::platform::energy_report(columns, amounts, 2);
    CHECK(report["total"].get<double>() == Approx(2 * 9223372036854.775807));
    CHECK(report["parts"]["digital"].get<double>() > 0);
}
