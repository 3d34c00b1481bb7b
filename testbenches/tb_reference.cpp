// Regression testbench: one sample of the authors' reference vectors (64 tokens, one 64x64 K array
// and one V array, `current` leakage of 1e-4 per token, no quantization) through the attention
// head; S, phi and the output are checked within the tolerances of testbenches/reference/README.md.
//
//   tb_reference REFERENCE_JSON SAMPLE
#include <cmath>
#include <iostream>
#include <string>

#include <systemc>

#include "attention_head.h"
#include "common/platform_cli.h"
#include "util/simulation.h"

using namespace gcasim;
using nlohmann::json;

namespace {

struct tolerance {
    double s = 1e-3, phi = 1e-5, out = 1e-5;
};

/// Compares each token's results with the reference as they come out of the head.
class reference_checker : public token_observer {
public:
    reference_checker(const json& ref, std::size_t sample) : ref_(ref), sample_(sample) {}

    void on_token(const token_result& r) override
    {
        const json& s_row = ref_["S"][sample_][r.token];
        const json& phi_row = ref_["phi_S"][sample_][r.token];
        const json& out_row = ref_["output"][sample_][r.token];
        std::vector<double> s(s_row.size(), 0.0), phi(s_row.size(), 0.0);
        for (std::size_t slot = 0; slot < r.slot_token.size(); ++slot)
            if (r.visible[slot]) {
                s[r.slot_token[slot]] = r.scores[slot];
                phi[r.slot_token[slot]] = r.pulses[slot];
            }
        for (std::size_t k = 0; k < s.size(); ++k) {
            worst_s = std::max(worst_s, std::fabs(s[k] - s_row[k].get<double>()));
            worst_phi = std::max(worst_phi, std::fabs(phi[k] - phi_row[k].get<double>()));
        }
        for (std::size_t e = 0; e < r.output.size(); ++e)
            worst_out = std::max(worst_out, std::fabs(r.output[e] - out_row[e].get<double>()));
        ++tokens;
    }

    double worst_s = 0, worst_phi = 0, worst_out = 0;
    std::size_t tokens = 0;

private:
    const json& ref_;
    std::size_t sample_;
};

/// SAMPLE: an index into the reference's samples, digits only ("-1" and "1x" are not samples).
std::size_t parse_sample(const std::string& text, std::size_t samples)
{
    const std::string allowed = "allowed: 0 .. " + std::to_string(samples - 1) + " (samples in the reference file)";
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        throw config::config_error("SAMPLE: '" + text + "' is not a sample index; " + allowed);
    const std::size_t sample = std::stoull(text);
    if (sample >= samples)
        throw config::config_error("SAMPLE: value " + text + " is out of range; " + allowed);
    return sample;
}

/// ref[key][sample] must be a rows x cols matrix of numbers.
void check_matrix(const json& ref, const char* key, std::size_t sample, std::size_t rows, std::size_t cols,
                  const std::string& where)
{
    const json& m = ref[key][sample];
    const std::string what = where + ": \"" + key + "\"[" + std::to_string(sample) + "] must be a " +
                             std::to_string(rows) + " x " + std::to_string(cols) + " array of numbers";
    if (!m.is_array() || m.size() != rows)
        throw config::config_error(what);
    for (const json& row : m) {
        if (!row.is_array() || row.size() != cols)
            throw config::config_error(what);
        for (const json& x : row)
            if (!x.is_number())
                throw config::config_error(what);
    }
}

/// The reference file's sample `sample_text`, its shapes checked against what the checker reads.
std::size_t checked_sample(const json& ref, const std::string& sample_text, const std::string& where)
{
    const char* keys[] = {"Q", "K", "V", "S", "phi_S", "output"};
    if (!ref.is_object())
        throw config::config_error(where + ": expected a JSON object");
    for (const char* key : keys)
        if (!ref.contains(key) || !ref[key].is_array() || ref[key].empty() || ref[key].size() != ref["Q"].size())
            throw config::config_error(where + ": \"" + key + "\" must be a non-empty array with one entry per sample");
    const json* polarity = ref.contains("inferred_generation") ? &ref["inferred_generation"] : nullptr;
    if (!polarity || !polarity->is_object() || !polarity->contains("polarity") ||
        ((*polarity)["polarity"] != 1 && (*polarity)["polarity"] != -1))
        throw config::config_error(where + ": \"inferred_generation\".\"polarity\" must be 1 or -1");
    const std::size_t sample = parse_sample(sample_text, ref["Q"].size());
    const std::size_t tokens = ref["Q"][sample].is_array() ? ref["Q"][sample].size() : 0;
    if (tokens == 0)
        throw config::config_error(where + ": \"Q\"[" + sample_text + "] must be a non-empty array of rows");
    for (const char* key : keys) {
        const bool scores = std::string(key) == "S" || std::string(key) == "phi_S";
        check_matrix(ref, key, sample, tokens, scores ? tokens : 64, where);
    }
    return sample;
}

int run(const std::string& file, const std::string& sample_text)
{
    const json ref = config::read_json_file(file, "reference file");
    const std::size_t sample = checked_sample(ref, sample_text, "reference file '" + file + "'");
    const int polarity = ref["inferred_generation"]["polarity"].get<int>();

    config::param_schema schema;
    config::add_head_params(schema);
    // 1e-4 per token step: token period 800 ns, tau 8 ms.
    const json cfg = platform::load_config(
        schema, "",
        {"window=64", "cell.leakage.model=current", "cell.leakage.tau_ns=8e6", "timing.token_period_ns=800",
         "quant.enabled=false", "cell.polarity=" + std::to_string(polarity)});
    const config::head_config head_config = config::parse_head_config(cfg);

    token_stream input;
    input.dim = 64;
    for (const char* key : {"Q", "K", "V"}) {
        std::vector<double>& m = key[0] == 'Q' ? input.q : key[0] == 'K' ? input.k : input.v;
        for (const auto& row : ref[key][sample])
            for (const auto& x : row)
                m.push_back(x.get<double>());
    }
    input.tokens = input.q.size() / input.dim;

    reference_checker checker(ref, sample);
    attention_head head("head", head_config, input);
    head.controller.add_observer(&checker);
    gcasim::run_simulation();

    const tolerance tol;
    const bool ok = checker.tokens == input.tokens && checker.worst_s <= tol.s &&
                    checker.worst_phi <= tol.phi && checker.worst_out <= tol.out;
    std::cout << "sample " << sample << " (polarity " << polarity << "): " << checker.tokens
              << " tokens, max |dS| = " << checker.worst_s << " (tol " << tol.s << "), max |dphi| = "
              << checker.worst_phi << " (tol " << tol.phi << "), max |dout| = " << checker.worst_out
              << " (tol " << tol.out << ") -> " << (ok ? "PASS" : "FAIL") << "\n";
    return ok ? 0 : 1;
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    const char* usage = "usage: tb_reference REFERENCE_JSON SAMPLE";
    int code = 2;
    if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::cout << usage << "\n";
        code = 0;
    } else if (argc != 3) {
        std::cerr << "tb_reference: error: expected 2 arguments, got " << argc - 1 << " (" << usage << ")\n";
    } else {
        try {
            code = run(argv[1], argv[2]);
        } catch (const config::config_error& e) {
            std::cerr << "tb_reference: error: " << config::escape_control(e.what()) << "\n";
            code = 2;
        } catch (const std::exception& e) {
            std::cerr << "tb_reference: error: " << config::escape_control(e.what()) << "\n";
            code = 1;
        }
    }
    if (!platform::stdout_written("tb_reference") && code == 0)
        return 1;
    return code;
}
