#include "platform_cli.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <systemc>

#include "config/platform_params.h"
#include "io.h"
#include "util/atomic_file.h"

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
std::atomic<bool> simulating{false};
char early_stop_message[256];  // "<platform>: interrupted before the simulation started; nothing written\n"
std::size_t early_stop_length = 0;

extern "C" void on_stop_signal(int)
{
    if (!simulating.load()) {  // nothing finished that outputs could keep: end now, even in a blocking read
        removal_list::remove_all();
        (void)!::write(STDERR_FILENO, early_stop_message, early_stop_length);
        ::_exit(interrupted_exit_code);
    }
    stop_flag = 1;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
    std::signal(SIGTERM, SIG_DFL);
}

void install_stop_handlers(const std::string& platform)
{
    const std::string message = platform + ": interrupted before the simulation started; nothing written\n";
    early_stop_length = std::min(message.size(), sizeof early_stop_message);
    std::memcpy(early_stop_message, message.data(), early_stop_length);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
}

/// Switches the signals from "end at once" to "stop at the next token boundary" when sc_start()
/// begins, that is after elaboration.
struct simulation_start_watch : sc_core::sc_module {
    simulation_start_watch() : sc_core::sc_module(sc_core::sc_module_name("gcasim_simulation_start_watch")) {}
    void start_of_simulation() override { simulating.store(true); }
};

}  // namespace

bool stop_requested()
{
    return stop_flag != 0;
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
    const std::string tokens_help =
        info.input_vectors ? "tokens to simulate (default: all input rows, or " + std::to_string(info.default_tokens) +
                                 " random ones)"
                           : info.tokens_help;
    const std::string seed_help = info.input_vectors ? "seed for random inputs (0 .. 2^64-1); not with --input"
                                                     : info.seed_help;
    po::options_description d("Options");
    d.add_options()
        ("help,h", "show this help and exit")
        ("list-params", "list every config key with its default, unit, range and meaning, and exit")
        ("format", po::value<std::string>()->value_name("FORMAT"),
         "with --list-params: text (default), or markdown: the key table of every platform, as in "
         "docs/modules/configuration.md")
        ("config", po::value<std::string>()->value_name("FILE"),
         ("JSON config (default " + info.default_config + ")").c_str())
        ("set", po::value<std::vector<std::string>>()->value_name("KEY=VALUE")->composing(),
         "override one config key by its dotted path; repeatable, each key once (e.g. --set window=128)");
    if (info.input_vectors)
        d.add_options()("input", po::value<std::string>()->value_name("FILE"),
                        "input vectors (JSON); default: seeded random inputs");
    d.add_options()
        ("tokens", po::value<std::string>()->value_name("N"), tokens_help.c_str())
        ("seed", po::value<std::string>()->value_name("N")->default_value("1"), seed_help.c_str())
        ("out", po::value<std::string>()->value_name("DIR"),
         ("output folder (default " + info.default_out + ")").c_str())
        ("quiet", "no progress line on stderr (shown only when stderr is a terminal: tokens done, rate, "
                  "time left)");
    for (const extra_option& option : info.extra_options) {
        auto* value = po::value<std::string>()->value_name(option.value_name);
        if (option.default_value)
            value->default_value(*option.default_value);
        d.add_options()(option.name.c_str(), value, option.help.c_str());
    }
    return d;
}

/// A word on the command line that belongs to no option would be ignored: refuse it.
void reject_positional(const po::parsed_options& parsed)
{
    for (const po::option& o : parsed.options) {
        if (!o.string_key.empty())
            continue;
        const std::string word = o.original_tokens.empty() ? "" : o.original_tokens.front();
        const bool assignment = word.find('=') != std::string::npos && word.front() != '-';
        throw config::config_error("unexpected argument '" + word + "'" +
                                   (assignment ? " (did you mean --set " + word + "?)" : " (see --help)"));
    }
}

/// A key set twice by --set would silently take the last value: refuse it.
void reject_repeated_keys(const std::vector<std::string>& overrides)
{
    std::map<std::string, std::string> seen;
    for (const std::string& assignment : overrides) {
        const std::size_t eq = assignment.find('=');
        if (eq == std::string::npos)
            continue;  // apply_override reports the syntax
        const std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
        const auto [it, first] = seen.emplace(key, value);
        if (!first)
            throw config::config_error("--set " + key + ": given twice ('" + it->second + "', then '" + value +
                                       "'); give each key once");
    }
}

/// With --input the inputs are the file's: the options that shape random inputs would do nothing.
void reject_unused_with_input(const cli_options& options)
{
    if (options.input_file.empty())
        return;
    if (options.given.count("seed"))
        throw config::config_error("--seed: not used with --input (it seeds random inputs only)");
    for (const std::string& assignment : options.overrides)
        if (assignment.rfind("input.", 0) == 0)
            throw config::config_error("--set " + assignment.substr(0, assignment.find('=')) +
                                       ": not used with --input (input.* shapes random inputs only)");
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

bool stdout_written(const std::string& program)
{
    errno = 0;
    std::cout.flush();
    if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout)
        return true;
    const int error = errno;
    std::cerr << program << ": error: cannot write standard output: "
              << (error != 0 ? std::strerror(error) : "write error") << "\n";
    return false;
}

namespace {

/// The options as given: each checked, none that the run would not use.
cli_options parse_options(const po::parsed_options& parsed, const po::variables_map& vm, const platform_info& info)
{
    reject_positional(parsed);
    cli_options options;
    for (const auto& [name, value] : vm)
        if (!value.defaulted())
            options.given.insert(name);
    options.config_file = vm.count("config") ? vm["config"].as<std::string>() : info.default_config;
    if (vm.count("set"))
        options.overrides = vm["set"].as<std::vector<std::string>>();
    reject_repeated_keys(options.overrides);
    if (vm.count("input"))
        options.input_file = vm["input"].as<std::string>();
    if (vm.count("tokens")) {
        options.tokens = parse_unsigned("--tokens", vm["tokens"].as<std::string>());
        if (*options.tokens == 0)
            throw config::config_error("--tokens: value 0 is out of range; allowed: >= 1");
    }
    options.seed = parse_unsigned("--seed", vm["seed"].as<std::string>());
    options.out_dir = vm.count("out") ? vm["out"].as<std::string>() : info.default_out;
    options.quiet = vm.count("quiet") > 0;
    for (const extra_option& option : info.extra_options)
        if (vm.count(option.name))
            options.extra[option.name] = vm[option.name].as<std::string>();
    reject_unused_with_input(options);
    return options;
}

/// --list-params in `format`: this platform's keys as text, or the Markdown table of every platform.
std::string list_params(const config::param_schema& schema, const std::string& format)
{
    if (format == "text")
        return schema.describe();
    if (format == "markdown")
        return config::markdown_keys();
    throw config::config_error("--format: value '" + format + "' is not allowed; allowed: text, markdown");
}

int run_cli(int argc, char** argv, const platform_info& info, const platform_body& body)
{
    const std::string prefix = info.name + ": error: ";
    try {
        install_stop_handlers(info.name);
        config::param_schema schema;
        info.add_params(schema);
        const po::options_description description = cli_description(info);
        po::variables_map vm;
        po::parsed_options parsed(&description);
        try {
            // No abbreviations: boost would take '--tok 5' for --tokens, a name that no option has.
            const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
            parsed = po::command_line_parser(argc, argv).options(description).style(style).run();
            po::store(parsed, vm);
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
            std::cout << list_params(schema, vm.count("format") ? vm["format"].as<std::string>() : "text");
            return 0;
        }
        if (vm.count("format"))
            throw config::config_error("--format: only with --list-params");
        const cli_options options = parse_options(parsed, vm, info);
        const json derived = info.derived_defaults ? info.derived_defaults(options) : json::object();
        const json config = load_config(schema, options.config_file, options.overrides, derived);
        // sc_stop() at a Ctrl-C is expected: no "stopped by user" banner.
        sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
        simulation_start_watch watch;  // a module: SystemC calls it when sc_start() begins
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

}  // namespace

int run_platform(int argc, char** argv, const platform_info& info, const platform_body& body)
{
    const int code = run_cli(argc, argv, info, body);
    if (!stdout_written(info.name) && code == 0)
        return 1;  // the report (or --help) was lost: not a success
    return code;
}

}  // namespace gcasim::platform
