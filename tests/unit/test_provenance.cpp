// Provenance of the cost parameters: every figure that sets latency, energy or area names where its
// value comes from (paper, derived or assumed), on every platform (docs/cost_model.md, Provenance).
#include <catch2/catch.hpp>

#include <string>

#include "config/param_schema.h"
#include "config/platform_params.h"

using namespace gcasim::config;

namespace {

bool is_figure(const param_spec& p) { return p.type == param_type::integer || p.type == param_type::number; }

}  // namespace

TEST_CASE("provenance_kind accepts the three kinds with a text, nothing else", "[provenance]")
{
    CHECK(provenance_kind(paper("Fig. 4")) == "paper");
    CHECK(provenance_kind(derived("a * b")) == "derived");
    CHECK(provenance_kind(assumed("why")) == "assumed");
    CHECK(provenance_kind("") == "");
    CHECK(provenance_kind("paper: ") == "");
    CHECK(provenance_kind("guess: it looked right") == "");
    CHECK(provenance_kind("Paper: Fig. 4") == "");
}

TEST_CASE("the cost groups", "[provenance]")
{
    for (const char* key : {"window", "head_dim", "heads", "array.tiers", "cell.area_um2", "timing.clock_period_ns",
                            "quant.out_levels", "refresh.age_ns", "digital.control_area_mm2"})
        CHECK(is_cost_key(key));
    for (const char* key : {"noise.read_sigma", "sim.threads", "trace.vcd", "input.q_mean", "output.head_outputs",
                            "windows", "cellar.x"})
        CHECK_FALSE(is_cost_key(key));
}

TEST_CASE("every cost figure of every platform names a valid source", "[provenance]")
{
    for (const std::string& platform : platform_names()) {
        param_schema schema;
        add_platform_params(schema, platform);
        std::size_t figures = 0;
        for (const param_spec& p : schema.params()) {
            INFO(platform << ": " << p.path << " source '" << p.source << "'");
            if (is_cost_key(p.path) && is_figure(p)) {
                CHECK(provenance_kind(p.source) != "");
                ++figures;
            }
            // A source given anywhere (a choice, a key outside the cost groups) must be well formed.
            if (!p.source.empty())
                CHECK(provenance_kind(p.source) != "");
        }
        CHECK(figures > 0);
    }
}
