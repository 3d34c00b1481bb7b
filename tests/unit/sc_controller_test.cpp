// The sliding-window controller inside a small attention_head: ring slot assignment with
// wrap-around, masking outside the window, S / phi / outputs against a reference computed from the
// formulas of hardware.md, phase timing and token starts.
// Usage: unit_sc_controller SCENARIO (one elaboration per process).
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include <systemc>

#include "attention_head.h"
#include "config/head_timing.h"
#include "device/cell_model.h"
#include "device/quantizer.h"
#include "sc_test_support.h"
#include "token_source.h"

using namespace sc_core;
using namespace gcasim;

namespace {

const sc_time ns(1, SC_NS);

token_stream random_stream(std::size_t tokens, std::size_t dim, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0), volts(0.0, 0.9);
    token_stream s;
    s.tokens = tokens;
    s.dim = dim;
    for (std::size_t i = 0; i < tokens * dim; ++i) {
        s.q.push_back(unit(rng));
        s.k.push_back(volts(rng));
        s.v.push_back(volts(rng));
    }
    return s;
}

config::head_config small_head(int window, int head_dim, double period_ns)
{
    config::head_config c = config::default_head_config();
    c.window = window;
    c.head_dim = head_dim;
    c.array.tokens = 64;
    c.timing.token_period_ns = period_ns;
    return c;
}

/// Calls `check` for every token result, with the simulation time of the callback.
class observer : public token_observer {
public:
    explicit observer(std::function<void(const token_result&)> check) : check_(std::move(check)) {}
    void on_token(const token_result& r) override
    {
        SC_TEST_EQUAL(r.token, calls);
        ++calls;
        check_(r);
    }
    std::size_t calls = 0;

private:
    std::function<void(const token_result&)> check_;
};

/// Samples the controller's phase and token count at given times.
class phase_sampler : public sc_module {
public:
    struct sample {
        sc_time at;
        phase expected;
        std::size_t tokens_done;
    };
    SC_HAS_PROCESS(phase_sampler);
    phase_sampler(const sc_module_name& name, const sliding_window_controller& c, std::vector<sample> samples)
        : sc_module(name), controller_(c), samples_(std::move(samples))
    {
        SC_THREAD(run);
    }
    std::size_t checked = 0;

private:
    void run()
    {
        for (const sample& s : samples_) {
            wait(s.at - sc_time_stamp());
            SC_TEST_EQUAL(static_cast<int>(controller_.current_phase()), static_cast<int>(s.expected));
            SC_TEST_EQUAL(controller_.tokens_done(), s.tokens_done);
            ++checked;
        }
    }
    const sliding_window_controller& controller_;
    std::vector<sample> samples_;
};

// ------------------------------------------------------------------------------------------------

// Window 100 with 64-token tiles: 2 sub-tiles, 128 ring slots; 200 tokens wrap the ring.
void ring_and_reference()
{
    config::head_config c = small_head(100, 4, 100);
    c.cell.leakage.tau_ns = 20000;  // 20 us: ages up to 10 us matter
    SC_TEST_EQUAL(c.sub_tiles(), 2);
    SC_TEST_EQUAL(c.ring_slots(), 128);
    const std::size_t T = 200, d = 4, slots = 128, window = 100;
    const token_stream input = random_stream(T, d, 11);

    const device::cell_model model(device::nonlinearity::polynomial, device::leakage_form::voltage, 1);
    const device::quantizer q_dac(0.0, 1.0, 16), kv_dac(0.0, 0.9, 8), counter(-1.0, 1.0, 32);
    const double period_ns = 100, tau_ns = 20000;
    std::size_t visible_pairs = 0, nonzero_pulses = 0;

    const sliding_window_controller* controller = nullptr;
    observer obs([&](const token_result& r) {
        const std::size_t t = r.token;
        SC_TEST_EQUAL(r.head, 0u);
        SC_TEST_EQUAL(r.start, t * period_ns * ns);
        SC_TEST_EQUAL(r.end, (t * period_ns + config::head_phases_ns(c)) * ns);
        SC_TEST_EQUAL(sc_time_stamp(), r.end);
        SC_TEST_EQUAL(controller->tokens_done(), t + 1);
        SC_TEST_EQUAL(r.slot_token.size(), slots);
        SC_TEST_EQUAL(r.slot_token[t % slots], static_cast<long>(t));
        // Every slot holds the latest token s <= t with s mod 128 == slot; visible iff t - s < 100.
        for (std::size_t slot = 0; slot < slots; ++slot) {
            const long s = static_cast<long>(t) - static_cast<long>((t + slots - slot) % slots);
            const long held = s >= 0 ? s : -1;
            SC_TEST_EQUAL(r.slot_token[slot], held);
            const bool visible = held >= 0 && t - static_cast<std::size_t>(held) < window;
            SC_TEST_EQUAL(static_cast<int>(r.visible[slot]), static_cast<int>(visible));
            if (!visible) {
                SC_TEST_EQUAL(r.scores[slot], 0.0);
                SC_TEST_EQUAL(r.pulses[slot], 0.0);
            }
        }
        // Reference: S[t,s] = sum_d q[t,d] P(delta (k[s,d] - 0.45)), phi = clamp(S/80, 0, 1),
        // A_n[e] = sum_{s in tile n} phi P(delta' (v[s,e] - 0.45)), out = sum_n Q32(clamp(A_n/40)).
        // Ages: the K read starts 10 ns into token t, a write settles 10 ns into token s, so
        // (t - s) periods; the V read starts 15 ns later.
        std::vector<double> a(2 * d, 0.0);
        for (std::size_t slot = 0; slot < slots; ++slot) {
            if (!r.visible[slot])
                continue;
            ++visible_pairs;
            const std::size_t s = static_cast<std::size_t>(r.slot_token[slot]);
            const double age_ns = static_cast<double>(t - s) * period_ns;
            const double delta_k = std::exp(-age_ns / tau_ns);
            const double delta_v = std::exp(-(age_ns + 15) / tau_ns);
            double score = 0.0;
            for (std::size_t e = 0; e < d; ++e)
                score += q_dac(input.q_row(t)[e]) * model.read(kv_dac(input.k_row(s)[e]), delta_k);
            SC_TEST_NEAR(r.scores[slot], score, 1e-12 * (1 + std::fabs(score)));
            const double phi = device::clamp(score / 80, 0.0, 1.0);
            SC_TEST_NEAR(r.pulses[slot], phi, 1e-14);
            nonzero_pulses += phi > 0;
            for (std::size_t e = 0; e < d; ++e)
                a[(slot / 64) * d + e] += phi * model.read(kv_dac(input.v_row(s)[e]), delta_v);
        }
        for (std::size_t e = 0; e < d; ++e) {
            const double expected = counter(a[e] / 40) + counter(a[d + e] / 40);
            SC_TEST_NEAR(r.output[e], expected, 1e-12);
        }
        // Hand-picked slots.
        if (t == 99) {
            SC_TEST_EQUAL(r.slot_token[0], 0L);
            SC_TEST_CHECK(r.visible[0]);  // 99 - 0 < 100
            SC_TEST_CHECK(!r.visible[100]);  // empty
        }
        if (t == 100) {
            SC_TEST_EQUAL(r.slot_token[0], 0L);
            SC_TEST_CHECK(!r.visible[0]);  // fell out of the window, still stored
            SC_TEST_CHECK(r.visible[100]);
        }
        if (t == 128) {
            SC_TEST_EQUAL(r.slot_token[0], 128L);  // the ring wrapped: token 0 overwritten
            SC_TEST_CHECK(r.visible[0]);
        }
        if (t == 150) {
            SC_TEST_EQUAL(r.slot_token[22], 150L);
            SC_TEST_EQUAL(r.slot_token[23], 23L);
            SC_TEST_CHECK(!r.visible[23]);
            SC_TEST_EQUAL(r.slot_token[50], 50L);
            SC_TEST_CHECK(!r.visible[50]);  // 150 - 50 = 100: not < window
            SC_TEST_EQUAL(r.slot_token[51], 51L);
            SC_TEST_CHECK(r.visible[51]);
            SC_TEST_CHECK(r.visible[127] && r.visible[0] && r.visible[22]);
        }
    });
    attention_head head("head", c, input);
    head.controller.add_observer(&obs);
    controller = &head.controller;
    gcasim::run_simulation();
    SC_TEST_EQUAL(obs.calls, T);
    SC_TEST_EQUAL(head.controller.tokens_done(), T);
    SC_TEST_EQUAL(static_cast<int>(head.controller.current_phase()), static_cast<int>(phase::idle));
    SC_TEST_EQUAL(sc_time_stamp(), ((T - 1) * period_ns + config::head_phases_ns(c)) * ns);
    // sum over t of min(t + 1, 100) visible pairs; and the data exercised the pulses.
    SC_TEST_EQUAL(visible_pairs, std::size_t(100 * 101 / 2 + 100 * 100));
    SC_TEST_CHECK(nonzero_pulses > visible_pairs / 10);
    SC_TEST_CHECK(nonzero_pulses < visible_pairs);
}

/// Phase samples at offsets inside each phase of the given tokens.
std::vector<phase_sampler::sample> phase_samples(const std::vector<std::size_t>& tokens, double period_ns,
                                                 const std::vector<double>& offsets_ns)
{
    const phase order[5] = {phase::write, phase::qk, phase::pv, phase::readout, phase::digital};
    std::vector<phase_sampler::sample> samples;
    for (std::size_t t : tokens)
        for (int i = 0; i < 5; ++i)
            samples.push_back({(t * period_ns + offsets_ns[i]) * ns, order[i], t});
    return samples;
}

void check_phases(config::head_config c, std::size_t tokens, const std::vector<double>& offsets_ns,
                  const std::vector<std::size_t>& sampled)
{
    const double period = c.timing.token_period_ns, total = config::head_phases_ns(c);
    const token_stream input = random_stream(tokens, c.head_dim, 5);
    const sliding_window_controller* controller = nullptr;
    sc_time last_end = SC_ZERO_TIME;
    observer obs([&](const token_result& r) {
        last_end = r.end;
        SC_TEST_EQUAL(r.start, r.token * period * ns);               // a token every period
        SC_TEST_EQUAL(r.end, (r.token * period + total) * ns);        // + all phases
        const token_phase_times& p = r.phases;
        SC_TEST_EQUAL(p.write + p.qk + p.pv + p.readout + p.digital, r.end - r.start);
        SC_TEST_EQUAL(p.refresh, SC_ZERO_TIME);
        SC_TEST_EQUAL(sc_time_stamp(), r.end);
        SC_TEST_EQUAL(controller->tokens_done(), r.token + 1);
    });
    attention_head head("head", c, input);
    head.controller.add_observer(&obs);
    controller = &head.controller;
    std::vector<phase_sampler::sample> samples = phase_samples(sampled, period, offsets_ns);
    // Just before and just after the end of a token's phases: then idle until the next token
    // starts (back to back, the next token is already writing).
    samples.push_back({(sampled.back() * period + total - 0.5) * ns, phase::digital, sampled.back()});
    const bool next_starts = total == period && sampled.back() + 1 < tokens;
    samples.push_back({(sampled.back() * period + total + 0.5) * ns, next_starts ? phase::write : phase::idle,
                       sampled.back() + 1});
    phase_sampler monitor("monitor", head.controller, samples);
    SC_TEST_EQUAL(static_cast<int>(head.controller.current_phase()), static_cast<int>(phase::idle));
    gcasim::run_simulation();
    SC_TEST_EQUAL(monitor.checked, samples.size());
    SC_TEST_EQUAL(obs.calls, tokens);
    SC_TEST_EQUAL(last_end, ((tokens - 1) * period + total) * ns);
    SC_TEST_EQUAL(static_cast<int>(head.controller.current_phase()), static_cast<int>(phase::idle));
}

// The small head (d = 4, one sub-tile) on the 1 ns clock: write 10 (2 + 2.8 ln 16 = 9.76 ns), qk 15,
// pv 15, readout 1 + 16 = 17, digital 0 adder stages + 1 scale + 1 routing (4 x 5 bits on 256) = 2:
// boundaries 0 | 10 | 25 | 40 | 57 | 59 ns, a token every 100 ns.
void phases_default()
{
    const config::head_config c = small_head(64, 4, 100);
    SC_TEST_EQUAL(config::head_phases_ns(c), 59.0);
    check_phases(c, 6, {5, 17, 32, 50, 58}, {0, 1, 4});
}

// A 2 ns clock and T_max 16 ns, two sub-tiles: write 5 cycles, qk and pv 8, readout 17, digital
// 1 adder stage + 1 scale + 1 routing = 3: boundaries 0 | 10 | 26 | 42 | 76 | 82 ns, a token every
// 90 ns (the phase lasts as long as the slowest block, here all equal).
void phases_custom()
{
    config::head_config c = small_head(100, 4, 90);
    c.timing.clock_period_ns = 2;
    c.pulse.t_max_ns = 16;
    SC_TEST_EQUAL(config::head_phases_ns(c), 82.0);
    check_phases(c, 8, {5, 18, 34, 60, 79}, {0, 3, 7});
}

// Token period = the 59 ns of phases: each token starts as the previous one ends.
void back_to_back()
{
    const config::head_config c = small_head(64, 4, 59);
    check_phases(c, 10, {5, 17, 32, 50, 58}, {0, 1, 2, 8});
}

// Between the end of a token's 59 ns and the next token start the controller is idle.
void idle_between_tokens()
{
    const config::head_config c = small_head(64, 4, 100);
    const token_stream input = random_stream(4, 4, 5);
    attention_head head("head", c, input);
    phase_sampler monitor("monitor", head.controller,
                          {{80 * ns, phase::idle, 1}, {180 * ns, phase::idle, 2}, {290 * ns, phase::idle, 3}});
    gcasim::run_simulation();
    SC_TEST_EQUAL(monitor.checked, 3u);
}

/// Pushes rows of a stream into a streamed_source at t * period; row `restart` opens a new sequence.
class stream_producer : public sc_module {
public:
    SC_HAS_PROCESS(stream_producer);
    stream_producer(const sc_module_name& name, const token_stream& rows, streamed_source& target, sc_time period,
                    std::size_t restart)
        : sc_module(name), rows_(rows), target_(target), period_(period), restart_(restart)
    {
        SC_THREAD(run);
    }

private:
    void run()
    {
        for (std::size_t t = 0; t < rows_.tokens; ++t) {
            wait(static_cast<double>(t) * period_ - sc_time_stamp());
            target_.push(rows_.q_row(t), rows_.k_row(t), rows_.v_row(t), t == 0 || t == restart_);
        }
        target_.close();
    }
    const token_stream& rows_;
    streamed_source& target_;
    sc_time period_;
    std::size_t restart_;
};

/// Every token's outputs and visible-key count, by token.
struct output_log : token_observer {
    std::vector<std::vector<double>> outputs;
    std::vector<std::size_t> visible, first_slot;
    void on_token(const token_result& r) override
    {
        outputs.push_back(r.output);
        visible.push_back(static_cast<std::size_t>(std::count(r.visible.begin(), r.visible.end(), 1)));
        first_slot.push_back(static_cast<std::size_t>(r.slot_token[0]));
    }
};

// A streamed_source fed at t * period gives exactly the preloaded stream's outputs; a new sequence
// at token 130 empties the window: from there the head computes what a fresh head computes on
// tokens 130... (ring from slot 0, only the new sequence's keys visible).
void streamed_source_sequences()
{
    config::head_config c = small_head(100, 4, 100);
    c.cell.leakage.tau_ns = 20000;
    const std::size_t T = 200, restart = 130, d = 4;
    const token_stream all = random_stream(T, d, 7);
    token_stream tail = all;
    tail.tokens = T - restart;
    tail.q.erase(tail.q.begin(), tail.q.begin() + restart * d);
    tail.k.erase(tail.k.begin(), tail.k.begin() + restart * d);
    tail.v.erase(tail.v.begin(), tail.v.begin() + restart * d);

    streamed_source source(d);
    stream_producer producer("producer", all, source, 100 * ns, restart);
    attention_head preloaded("preloaded", c, all), streamed("streamed", c, source, 1),
        fresh("fresh", c, tail, 2);
    output_log log_preloaded, log_streamed, log_fresh;
    preloaded.controller.add_observer(&log_preloaded);
    streamed.controller.add_observer(&log_streamed);
    fresh.controller.add_observer(&log_fresh);
    gcasim::run_simulation();

    SC_TEST_EQUAL(log_streamed.outputs.size(), T);
    for (std::size_t t = 0; t < restart; ++t)
        for (std::size_t e = 0; e < d; ++e)
            SC_TEST_EQUAL(log_streamed.outputs[t][e], log_preloaded.outputs[t][e]);
    SC_TEST_EQUAL(log_streamed.visible[restart], 1u);
    SC_TEST_EQUAL(log_streamed.first_slot[restart], restart);  // token 130 went into slot 0
    SC_TEST_EQUAL(streamed.controller.late_tokens(), 0u);
    for (std::size_t t = restart; t < T; ++t) {
        SC_TEST_EQUAL(log_streamed.visible[t], log_fresh.visible[t - restart]);
        for (std::size_t e = 0; e < d; ++e)
            SC_TEST_CHECK(std::fabs(log_streamed.outputs[t][e] - log_fresh.outputs[t - restart][e]) < 1e-9);
    }
    bool differs = false;  // and the restart mattered: without it, the old keys would still count
    for (std::size_t t = restart; t < T; ++t)
        differs = differs || log_streamed.outputs[t] != log_preloaded.outputs[t];
    SC_TEST_CHECK(differs);
}

}  // namespace

int sc_main(int argc, char** argv)
{
    return sc_test::run(argc, argv,
                        {{"ring_and_reference", ring_and_reference},
                         {"phases_default", phases_default},
                         {"phases_custom", phases_custom},
                         {"back_to_back", back_to_back},
                         {"idle_between_tokens", idle_between_tokens},
                         {"streamed_source_sequences", streamed_source_sequences}});
}
