#include "platform_cli.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>

#include <boost/program_options.hpp>
#include <systemc>

#include "io.h"

namespace gcasim::platform {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

// SystemC prints its banner during static initialisation, before sc_main: switch it off first.
struct systemc_banner_off {
    systemc_banner_off() { ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0); }
};
__attribute__((init_priority(101))) const systemc_banner_off banner_off;

}  // namespace

void quiet_systemc_banner()
{
    (void)banner_off;  // referenced so that the linker keeps this object file's initialiser
}

namespace {

volatile std::sig_atomic_t stop_flag = 0;

extern "C" void on_stop_signal(int)
{
    stop_flag = 1;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
    std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

bool stop_requested()
{
    return stop_flag != 0;
}

std::string config_dir()
{
    return GCASIM_SOURCE_DIR "/platforms/configs";
}

json load_config(const config::param_schema& schema, const std::string& file,
                 const std::vector<std::string>& overrides, const json& derived)
{
    json config = schema.defaults();
    config::merge_into(config, derived);
    if (!file.empty()) {
        const json from_file = config::read_json_file(file, "config file");
        try {
            schema.validate(from_file);
        } catch (const config::config_error& e) {
            throw config::config_error(std::string(e.what()) + " (in " + file + ")");
        }
        config::merge_into(config, from_file);
    }
    for (const auto& assignment : overrides)
        schema.apply_override(config, assignment);
    schema.validate(config);
    return config;
}

namespace {

po::options_description cli_description(const platform_info& info)
{
    po::options_description d("Options");
    d.add_options()
        ("help,h", "show this help and exit")
        ("list-params", "list every config key with its default, unit, range and meaning, and exit")
        ("config", po::value<std::string>()->value_name("FILE"),
         ("JSON config (default " + info.default_config + ")").c_str())
        ("set", po::value<std::vector<std::string>>()->value_name("KEY=VALUE")->composing(),
         "override one config key by its dotted path; repeatable (e.g. --set window=128)")
        ("input", po::value<std::string>()->value_name("FILE"),
         "input vectors (JSON); default: seeded random inputs")
        ("tokens", po::value<std::string>()->value_name("N"),
         ("tokens to simulate (default: all input rows, or " + std::to_string(info.default_tokens) +
          " random ones)").c_str())
        ("seed", po::value<std::string>()->value_name("N")->default_value("1"), "seed for random inputs (0 .. 2^64-1)")
        ("out", po::value<std::string>()->value_name("DIR"),
         ("output folder (default " + info.default_out + ")").c_str());
    for (const extra_option& option : info.extra_options) {
        auto* value = po::value<std::string>()->value_name(option.value_name);
        if (option.default_value)
            value->default_value(*option.default_value);
        d.add_options()(option.name.c_str(), value, option.help.c_str());
    }
    return d;
}

// Strict: digits only (boost's lexical_cast would wrap "-1" into a huge unsigned).
std::uint64_t parse_unsigned(const std::string& option, const std::string& text)
{
    errno = 0;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || *end != '\0' ||
        errno == ERANGE)
        throw config::config_error(option + ": '" + text + "' is not a non-negative integer");
    return value;
}

}  // namespace

int run_platform(int argc, char** argv, const platform_info& info, const platform_body& body)
{
    const std::string prefix = info.name + ": error: ";
    try {
        config::param_schema schema;
        info.add_params(schema);
        const po::options_description description = cli_description(info);
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(argc, argv).options(description).run(), vm);
            po::notify(vm);
        } catch (const po::error& e) {
            std::cerr << prefix << config::escape_control(e.what()) << " (see --help)\n";
            return 2;
        }
        if (vm.count("help")) {
            std::cout << "Usage: " << info.name << " [options]\n" << info.summary << "\n\n" << description;
            return 0;
        }
        if (vm.count("list-params")) {
            std::cout << schema.describe();
            return 0;
        }
        cli_options options;
        options.config_file = vm.count("config") ? vm["config"].as<std::string>() : info.default_config;
        if (vm.count("set"))
            options.overrides = vm["set"].as<std::vector<std::string>>();
        if (vm.count("input"))
            options.input_file = vm["input"].as<std::string>();
        if (vm.count("tokens")) {
            options.tokens = parse_unsigned("--tokens", vm["tokens"].as<std::string>());
            if (*options.tokens == 0)
                throw config::config_error("--tokens: value 0 is out of range; allowed: >= 1");
        }
        options.seed = parse_unsigned("--seed", vm["seed"].as<std::string>());
        options.out_dir = vm.count("out") ? vm["out"].as<std::string>() : info.default_out;
        for (const extra_option& option : info.extra_options)
            if (vm.count(option.name))
                options.extra[option.name] = vm[option.name].as<std::string>();
        const json derived = info.derived_defaults ? info.derived_defaults(options) : json::object();
        const json config = load_config(schema, options.config_file, options.overrides, derived);
        // sc_stop() at a Ctrl-C is expected: no "stopped by user" banner.
        sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
        body(options, config);
        if (stop_requested()) {
            std::cerr << info.name << ": interrupted; outputs cover the tokens that finished\n";
            return interrupted_exit_code;
        }
        return 0;
    } catch (const config::config_error& e) {
        std::cerr << prefix << config::escape_control(e.what()) << "\n";
        return 2;
    } catch (const sc_core::sc_report& e) {
        std::cerr << prefix << config::escape_control(std::string(e.get_msg_type()) + ": " + e.get_msg()) << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << prefix << config::escape_control(e.what()) << "\n";
        return 1;
    }
}

}  // namespace gcasim::platform
