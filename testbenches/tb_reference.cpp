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

}  // namespace

int sc_main(int argc, char* argv[])
{
    platform::quiet_systemc_banner();
    if (argc != 3) {
        std::cerr << "usage: tb_reference REFERENCE_JSON SAMPLE\n";
        return 2;
    }
    try {
        const json ref = config::read_json_file(argv[1], "reference file");
        const std::size_t sample = std::stoul(argv[2]);
        const int polarity = ref.at("inferred_generation").at("polarity").get<int>();

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
            for (const auto& row : ref.at(key).at(sample))
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
    } catch (const std::exception& e) {
        std::cerr << "tb_reference: error: " << e.what() << "\n";
        return 1;
    }
}
