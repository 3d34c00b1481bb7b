// gain_cell_array through its TLM sockets: annotated delays (b_transport never waits), error
// responses, leakage from the simulated age, DAC quantization, event counters.
// Usage: unit_sc_gain_cell_array SCENARIO (one elaboration per process).
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "analog_payload.h"
#include "config/head_config.h"
#include "config/run_config.h"
#include "gain_cell_array.h"
#include "sc_test_support.h"
#include "sub_tile.h"

using namespace sc_core;
using namespace gcasim;
using device::leakage_form;
using device::nonlinearity;

namespace {

// Hand values (Python, exact a_i from the published c_ij): P(+-0.45), P(0) = a0.
constexpr double P_plus = 10.312987754065;    // P(0.45)
constexpr double P_minus = -10.33154100194;   // P(-0.45)
constexpr double a0 = 0.52136361391;
const double delta_half = std::exp(-0.5);      // age 1 us, tau 2 us

/// Drives one array from an SC_THREAD running `body`.
class tester : public sc_module {
public:
    tlm_utils::simple_initiator_socket<tester> write_socket{"write_socket"};
    tlm_utils::simple_initiator_socket<tester> mac_socket{"mac_socket"};
    bool finished = false;

    SC_HAS_PROCESS(tester);
    tester(const sc_module_name& name, gain_cell_array& array, std::function<void(tester&)> body)
        : sc_module(name), array_(array), body_(std::move(body))
    {
        write_socket.bind(array.write_socket);
        mac_socket.bind(array.mac_socket);
        SC_THREAD(run);
    }

    /// Write `values` (V) into `line`; returns the response, `delay` is the annotated delay.
    tlm::tlm_response_status write(std::uint64_t line, std::vector<double> values, sc_time& delay,
                                   tlm::tlm_command command = tlm::TLM_WRITE_COMMAND)
    {
        tlm::tlm_generic_payload gp;
        set_vector_payload(gp, command, line, values.data(), values.size());
        write_socket->b_transport(gp, delay);
        return gp.get_response_status();
    }

    /// A MAC of `inputs` with optional line enables; `outputs` gets the charges.
    tlm::tlm_response_status mac(const std::vector<double>& inputs, std::vector<double>& outputs, sc_time& delay,
                                 const std::vector<std::uint8_t>* enabled = nullptr, bool with_extension = true,
                                 tlm::tlm_command command = tlm::TLM_READ_COMMAND)
    {
        tlm::tlm_generic_payload gp;
        analog_payload ext;
        ext.input = inputs.data();
        ext.input_size = inputs.size();
        ext.line_enabled = enabled ? enabled->data() : nullptr;
        if (with_extension)
            gp.set_extension(&ext);
        set_vector_payload(gp, command, 0, outputs.data(), outputs.size());
        mac_socket->b_transport(gp, delay);
        if (with_extension)
            gp.clear_extension(&ext);
        return gp.get_response_status();
    }

    gain_cell_array& array() { return array_; }

private:
    void run()
    {
        body_(*this);
        finished = true;
    }
    gain_cell_array& array_;
    std::function<void(tester&)> body_;
};

gain_cell_array::params small_array(gain_cell_array::orientation layout, std::size_t lines, std::size_t width,
                                    nonlinearity shape, leakage_form leak)
{
    // The default head's array (10 ns writes, 15 ns reads, 8 DAC levels on [0, 0.9 V]), resized.
    gain_cell_array::params p = sub_tile::array_params(config::default_head_config(), layout, 1);
    p.tokens = lines;
    p.width = width;
    p.model = device::cell_model(shape, leak, 1);
    return p;
}

constexpr auto per_column = gain_cell_array::orientation::token_per_column;
constexpr auto per_row = gain_cell_array::orientation::token_per_row;
const sc_time ns(1, SC_NS);
constexpr auto OK = tlm::TLM_OK_RESPONSE;
constexpr auto ERROR = tlm::TLM_GENERIC_ERROR_RESPONSE;

/// Elaborate one array and a tester running `body`, simulate, check that the body finished.
void simulate(const gain_cell_array::params& p, std::function<void(tester&)> body)
{
    gain_cell_array array("array", p);
    tester t("tester", array, std::move(body));
    gcasim::run_simulation();
    SC_TEST_CHECK(t.finished);
}

// ------------------------------------------------------------------------------------------------

void timing()
{
    gain_cell_array::params k = small_array(per_column, 4, 3, nonlinearity::polynomial, leakage_form::none);
    gain_cell_array::params v = small_array(per_row, 4, 3, nonlinearity::polynomial, leakage_form::none);
    v.write_time = sc_time(3, SC_NS);
    v.read_time = sc_time(17, SC_NS);
    gain_cell_array k_array("k_array", k), v_array("v_array", v);
    tester tk("k_tester", k_array, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.1, 0.2, 0.3}, delay), OK);
        SC_TEST_EQUAL(delay, 10 * ns);
        SC_TEST_EQUAL(sc_time_stamp(), SC_ZERO_TIME);  // b_transport did not wait
        delay = 7 * ns;
        SC_TEST_EQUAL(t.write(1, {0.1, 0.2, 0.3}, delay), OK);
        SC_TEST_EQUAL(delay, 17 * ns);  // added to the incoming delay
        wait(5, SC_NS);
        std::vector<double> out(4);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({1.0, 0.5, 0.0}, out, delay), OK);
        SC_TEST_EQUAL(delay, 15 * ns);
        SC_TEST_EQUAL(sc_time_stamp(), 5 * ns);
        delay = 3 * ns;
        SC_TEST_EQUAL(t.mac({1.0, 0.5, 0.0}, out, delay), OK);
        SC_TEST_EQUAL(delay, 18 * ns);
        SC_TEST_EQUAL(sc_time_stamp(), 5 * ns);
    });
    tester tv("v_tester", v_array, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(3, {0.1, 0.2, 0.3}, delay), OK);
        SC_TEST_EQUAL(delay, 3 * ns);
        std::vector<double> out(3);
        SC_TEST_EQUAL(t.mac({0.0, 0.0, 0.0, 1.0}, out, delay), OK);
        SC_TEST_EQUAL(delay, 20 * ns);
        SC_TEST_EQUAL(sc_time_stamp(), SC_ZERO_TIME);
    });
    gcasim::run_simulation();
    SC_TEST_CHECK(tk.finished && tv.finished);
}

void errors()
{
    gain_cell_array k_array("k_array", small_array(per_column, 4, 3, nonlinearity::linear, leakage_form::none));
    gain_cell_array v_array("v_array", small_array(per_row, 4, 3, nonlinearity::linear, leakage_form::none));
    tester tk("k_tester", k_array, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.1, 0.2, 0.3}, delay, tlm::TLM_READ_COMMAND), ERROR);
        SC_TEST_EQUAL(t.write(0, {0.1, 0.2, 0.3}, delay, tlm::TLM_IGNORE_COMMAND), ERROR);
        SC_TEST_EQUAL(t.write(4, {0.1, 0.2, 0.3}, delay), ERROR);           // 4 lines: 0..3
        SC_TEST_EQUAL(t.write(1ULL << 40, {0.1, 0.2, 0.3}, delay), ERROR);
        SC_TEST_EQUAL(t.write(0, {0.1, 0.2}, delay), ERROR);                // width 3
        SC_TEST_EQUAL(t.write(0, {0.1, 0.2, 0.3, 0.4}, delay), ERROR);
        SC_TEST_EQUAL(t.array().cells().stored(0, 0), 0.45);               // nothing written
        SC_TEST_EQUAL(t.array().events().cells_written, 0u);
        SC_TEST_EQUAL(t.write(3, {0.9, 0.9, 0.9}, delay), OK);

        std::vector<double> out(4), short_out(3);
        SC_TEST_EQUAL(t.mac({1, 1, 1}, out, delay, nullptr, true, tlm::TLM_WRITE_COMMAND), ERROR);
        SC_TEST_EQUAL(t.mac({1, 1, 1}, out, delay, nullptr, false), ERROR);  // no analog_payload
        SC_TEST_EQUAL(t.mac({1, 1, 1, 1}, out, delay), ERROR);               // 3 word lines
        SC_TEST_EQUAL(t.mac({1, 1, 1}, short_out, delay), ERROR);            // 4 token lines out
        SC_TEST_EQUAL(t.array().events().macs, 0u);
        SC_TEST_EQUAL(t.mac({1, 1, 1}, out, delay), OK);
        SC_TEST_EQUAL(t.array().events().macs, 1u);
    });
    tester tv("v_tester", v_array, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        std::vector<double> out(3), long_out(4);
        SC_TEST_EQUAL(t.mac({1, 1, 1}, out, delay), ERROR);       // 4 token lines in
        SC_TEST_EQUAL(t.mac({1, 1, 1, 1}, long_out, delay), ERROR);  // 3 outputs
        SC_TEST_EQUAL(t.mac({1, 1, 1, 1}, out, delay), OK);
    });
    gcasim::run_simulation();
    SC_TEST_CHECK(tk.finished && tv.finished);
}

// Voltage form, K layout: write at t = 0 (settles at 10 ns), MAC 1 us after: delta = exp(-1us/2us).
void leakage_voltage()
{
    gain_cell_array::params p = small_array(per_column, 2, 2, nonlinearity::polynomial, leakage_form::voltage);
    p.tau = sc_time(2, SC_US);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);
        wait(delay);        // the write settles at 10 ns
        wait(1, SC_US);
        std::vector<double> out(2);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({1.0, 0.5}, out, delay), OK);
        // P(0.45*delta) + 0.5*P(-0.45*delta), delta = exp(-0.5) (Python).
        SC_TEST_NEAR(out[0], 2.8150954151370278, 1e-11);
        // The unwritten line is at mid rail: a0 per unit input, no decay in the voltage form.
        SC_TEST_NEAR(out[1], 1.5 * a0, 1e-12);
        // 3 us later the deviation has shrunk further: delta = exp(-2).
        wait(3, SC_US);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({1.0, 0.0}, out, delay), OK);
        const double d = std::exp(-2.0), y = 0.45 * d;
        SC_TEST_NEAR(out[0], a0 + 13.61226063 * y - 2.62044562 * y * y + 46.05483778 * y * y * y, 1e-7);
    });
}

// Current form, V layout: delta * P(y) on each output line.
void leakage_current()
{
    gain_cell_array::params p = small_array(per_row, 2, 2, nonlinearity::polynomial, leakage_form::current);
    p.tau = sc_time(2, SC_US);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);
        wait(delay);
        wait(1, SC_US);
        std::vector<double> out(2);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({1.0, 0.0}, out, delay), OK);
        SC_TEST_NEAR(out[0], 6.255143266081355, 1e-11);   // exp(-0.5) * P(0.45)
        SC_TEST_NEAR(out[1], -6.26639637975479, 1e-11);   // exp(-0.5) * P(-0.45)
        // Row 1 was never written: age counted from t = 0, so 1.01 us.
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({0.5, 0.5}, out, delay), OK);
        const double d1 = std::exp(-1.01 / 2.0);
        SC_TEST_NEAR(out[0], 0.5 * delta_half * P_plus + 0.5 * d1 * a0, 1e-11);
        SC_TEST_NEAR(out[1], 0.5 * delta_half * P_minus + 0.5 * d1 * a0, 1e-11);
    });
}

// Loosely timed with temporal decoupling: the age is taken at sc_time_stamp() + the annotated delay.
void leakage_annotated()
{
    gain_cell_array::params p = small_array(per_column, 2, 2, nonlinearity::polynomial, leakage_form::voltage);
    p.tau = sc_time(2, SC_US);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);  // delay = 10 ns, no wait
        delay += sc_time(1, SC_US);
        std::vector<double> out(2);
        SC_TEST_EQUAL(t.mac({1.0, 0.5}, out, delay), OK);
        SC_TEST_EQUAL(sc_time_stamp(), SC_ZERO_TIME);
        SC_TEST_NEAR(out[0], 2.8150954151370278, 1e-11);
    });
}

// Writing a line again restarts its age.
void rewrite()
{
    gain_cell_array::params p = small_array(per_column, 1, 2, nonlinearity::polynomial, leakage_form::voltage);
    p.tau = sc_time(2, SC_US);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);
        wait(delay);
        wait(5, SC_US);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);
        wait(delay);
        std::vector<double> out(1);
        delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.mac({1.0, 0.5}, out, delay), OK);
        SC_TEST_NEAR(out[0], P_plus + 0.5 * P_minus, 1e-11);  // delta = 1
    });
}

// The DAC quantizes the written voltages on [0, v_max] (grid anchored at 0, round half to even).
void dac()
{
    gain_cell_array::params eight = small_array(per_column, 1, 4, nonlinearity::linear, leakage_form::none);
    gain_cell_array::params four = eight, ideal = eight;
    four.v_max = 0.6;
    four.kv_levels = 4;   // step 0.2
    ideal.kv_levels = 0;  // clamp only
    gain_cell_array a8("a8", eight), a4("a4", four), a0("a0", ideal);
    tester t8("t8", a8, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.2, 0.1, 1.2, -0.1}, delay), OK);
        const double step = 0.9 / 7;
        SC_TEST_NEAR(t.array().cells().stored(0, 0), 2 * step, 1e-12);  // 1.56 steps -> 2
        SC_TEST_NEAR(t.array().cells().stored(0, 1), step, 1e-12);      // 0.78 -> 1
        SC_TEST_NEAR(t.array().cells().stored(0, 2), 0.9, 1e-12);       // clamped
        SC_TEST_NEAR(t.array().cells().stored(0, 3), 0.0, 1e-12);
        std::vector<double> out(1);
        SC_TEST_EQUAL(t.mac({1.0, 0.0, 0.0, 0.0}, out, delay), OK);
        SC_TEST_NEAR(out[0], 19.3 * (2 * step - 0.45), 1e-12);  // the MAC sees the DAC output
    });
    tester t4("t4", a4, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.45, 0.5, 0.7, 0.29}, delay), OK);
        SC_TEST_NEAR(t.array().cells().stored(0, 0), 0.4, 1e-12);  // 2.25 -> 2
        SC_TEST_NEAR(t.array().cells().stored(0, 1), 0.4, 1e-12);  // 2.5 -> 2 (half to even)
        SC_TEST_NEAR(t.array().cells().stored(0, 2), 0.6, 1e-12);  // clamped to v_max
        SC_TEST_NEAR(t.array().cells().stored(0, 3), 0.2, 1e-12);  // 1.45 -> 1
    });
    tester t0("t0", a0, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {1.2, 0.2, -0.3, 0.77}, delay), OK);
        SC_TEST_NEAR(t.array().cells().stored(0, 0), 0.9, 1e-15);
        SC_TEST_NEAR(t.array().cells().stored(0, 1), 0.2, 1e-15);
        SC_TEST_NEAR(t.array().cells().stored(0, 2), 0.0, 1e-15);
        SC_TEST_NEAR(t.array().cells().stored(0, 3), 0.77, 1e-15);
    });
    gcasim::run_simulation();
    SC_TEST_CHECK(t8.finished && t4.finished && t0.finished);
}

void events()
{
    gain_cell_array k_array("k_array", small_array(per_column, 4, 3, nonlinearity::linear, leakage_form::none));
    gain_cell_array v_array("v_array", small_array(per_row, 4, 3, nonlinearity::linear, leakage_form::none));
    tester tk("k_tester", k_array, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        const auto& e = t.array().events();
        t.write(0, {0.1, 0.2, 0.3}, delay);
        t.write(1, {0.1, 0.2, 0.3}, delay);
        t.write(1, {0.1, 0.2}, delay);  // error: not counted
        SC_TEST_EQUAL(e.cells_written, 6u);
        std::vector<double> out(4);
        const std::vector<std::uint8_t> mask{1, 0, 1, 1};
        t.mac({1, 1, 1}, out, delay, &mask);
        SC_TEST_EQUAL(e.macs, 1u);
        SC_TEST_EQUAL(e.cells_read, 9u);  // 3 enabled lines x 3 cells
        t.mac({1, 1, 1}, out, delay);
        SC_TEST_EQUAL(e.macs, 2u);
        SC_TEST_EQUAL(e.cells_read, 21u);  // + 4 x 3
        t.mac({1, 1}, out, delay);         // error
        SC_TEST_EQUAL(e.macs, 2u);
        SC_TEST_EQUAL(e.cells_read, 21u);
        SC_TEST_EQUAL(e.cells_written, 6u);
    });
    tester tv("v_tester", v_array, [](tester& t) {
        // Every enabled token line is read during the phase, whatever its pulse width.
        sc_time delay = SC_ZERO_TIME;
        std::vector<double> out(3);
        t.mac({0.5, 0.0, 0.0, 0.2}, out, delay);
        SC_TEST_EQUAL(t.array().events().cells_read, 12u);  // 4 rows x 3 cells
        const std::vector<std::uint8_t> mask{1, 0, 0, 1};
        t.mac({0.5, 0.0, 0.0, 0.2}, out, delay, &mask);
        SC_TEST_EQUAL(t.array().events().cells_read, 18u);  // + 2 enabled rows x 3 cells
        SC_TEST_EQUAL(t.array().events().macs, 2u);
        SC_TEST_EQUAL(t.array().events().cells_written, 0u);
    });
    gcasim::run_simulation();
    SC_TEST_CHECK(tk.finished && tv.finished);
}

// A MAC whose time (sc_time_stamp() + delay) is before the end of a line's write (a temporally
// decoupled initiator) sees age 0, delta = 1 -- never a cell that gains charge.
void mac_before_write_settles()
{
    gain_cell_array::params p = small_array(per_column, 1, 2, nonlinearity::polynomial, leakage_form::current);
    p.tau = sc_time(5, SC_NS);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);  // settles at 10 ns
        std::vector<double> out(1);
        sc_time mac_delay(5, SC_NS);                       // MAC at 5 ns
        SC_TEST_EQUAL(t.mac({1.0, 0.5}, out, mac_delay), OK);
        SC_TEST_NEAR(out[0], P_plus + 0.5 * P_minus, 1e-11);
    });
}

// Simulated times of many tau: the leakage factors stay exact (the model re-bases its reference
// time), and a value written long after another decays from its own write.
void leakage_long_run()
{
    gain_cell_array::params p = small_array(per_column, 2, 1, nonlinearity::linear, leakage_form::current);
    p.tau = sc_time(1, SC_US);
    p.kv_levels = 0;
    simulate(p, [](tester& t) {
        const double full = 19.3 * 0.45;  // linear read of 0.9 V, delta = 1
        auto mac = [&t](std::vector<double>& out) {
            sc_time delay = SC_ZERO_TIME;
            SC_TEST_EQUAL(t.mac({1.0}, out, delay), OK);
        };
        auto write = [&t](std::uint64_t line) {
            sc_time delay = SC_ZERO_TIME;
            SC_TEST_EQUAL(t.write(line, {0.9}, delay), OK);
            wait(delay);
        };
        std::vector<double> out(2);
        write(0);                        // settles at 10 ns
        wait(50, SC_US);                 // t = 50.01 us
        mac(out);
        SC_TEST_NEAR(out[0] / (full * std::exp(-50.0)), 1.0, 1e-9);
        write(1);                        // settles at 50.02 us
        wait(1, SC_US);                  // t = 51.02 us
        mac(out);
        SC_TEST_NEAR(out[0] / (full * std::exp(-51.01)), 1.0, 1e-9);
        SC_TEST_NEAR(out[1] / (full * std::exp(-1.0)), 1.0, 1e-9);
        wait(2000, SC_US);               // 2000 tau: both gone
        mac(out);
        SC_TEST_EQUAL(out[0], 0.0);
        SC_TEST_NEAR(out[1], 0.0, 1e-300);
        write(0);                        // a fresh value after the long pause
        wait(2, SC_US);
        mac(out);
        SC_TEST_NEAR(out[0] / (full * std::exp(-2.0)), 1.0, 1e-9);
    });
}

// A module checks its params when it is built: the message names the instance, the key and the value.
void bad_params()
{
    const auto refused = [](const gain_cell_array::params& p, const std::string& name, const std::string& expected) {
        std::string message;
        try {
            gain_cell_array array(name.c_str(), p);
        } catch (const std::invalid_argument& e) {
            message = e.what();
        }
        SC_TEST_EQUAL(message, expected);
    };
    gain_cell_array::params p = small_array(per_column, 4, 3, nonlinearity::polynomial, leakage_form::voltage);
    p.tokens = 0;
    refused(p, "no_lines", "no_lines: array.tokens = 0: must be >= 1");
    p = small_array(per_row, 4, 3, nonlinearity::polynomial, leakage_form::voltage);
    p.tau = SC_ZERO_TIME;
    refused(p, "no_tau", "no_tau: cell.leakage.tau_ns = 0 s: must be > 0 with leakage");
    p.model = device::cell_model(nonlinearity::polynomial, leakage_form::none, 1);
    p.kv_levels = 1;
    refused(p, "one_level", "one_level: quant.kv_levels = 1: must be >= 2, or 0 for an ideal DAC");
    p.kv_levels = 0;
    p.read_sigma = -0.5;
    refused(p, "negative", "negative: noise.read_sigma = -0.5: must be >= 0");
    p.read_sigma = 0;
    gain_cell_array fine("fine", p);  // tau 0 without leakage, an ideal DAC: a valid array
    SC_TEST_EQUAL(fine.parameters().tokens, std::size_t{4});
}

// Array physics: bit-line gains g by position (K: cell of a token line, V: token line) scale the
// physical current only, g * P + (1 - g) * P_floor per cell. The same numbers in both layouts
// (the V array holds the transpose of the K array).
void bit_line_ir_drop()
{
    const std::vector<double> gains = {1.0, 0.9, 0.8};
    // Hand values: x = (1, 0.5, 0.25) against (0.9, 0.45, 0) and (0, 0.9, 0.45) V.
    const double first = P_plus + 0.5 * (0.9 * a0 + 0.1 * P_minus) + 0.25 * P_minus;
    const double second = P_minus + 0.5 * (0.9 * P_plus + 0.1 * P_minus) + 0.25 * (0.8 * a0 + 0.2 * P_minus);
    gain_cell_array::params k = small_array(per_column, 2, 3, nonlinearity::polynomial, leakage_form::none);
    gain_cell_array::params v = small_array(per_row, 3, 2, nonlinearity::polynomial, leakage_form::none);
    for (gain_cell_array::params* p : {&k, &v}) {
        p->kv_levels = 0;
        p->bit_line_gains = gains;
        p->floor_read = P_minus;
    }
    gain_cell_array k_array("k_array", k), v_array("v_array", v);
    tester tk("k_tester", k_array, [&](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.45, 0.0}, delay), OK);
        SC_TEST_EQUAL(t.write(1, {0.0, 0.9, 0.45}, delay), OK);
        std::vector<double> out(2);
        SC_TEST_EQUAL(t.mac({1.0, 0.5, 0.25}, out, delay), OK);
        SC_TEST_NEAR(out[0], first, 1e-10);
        SC_TEST_NEAR(out[1], second, 1e-10);
        const std::vector<std::uint8_t> only_first = {1, 0};
        SC_TEST_EQUAL(t.mac({1.0, 0.5, 0.25}, out, delay, &only_first), OK);
        SC_TEST_NEAR(out[0], first, 1e-10);
        SC_TEST_EQUAL(out[1], 0.0);  // a disabled line integrates nothing, not even the offset
    });
    tester tv("v_tester", v_array, [&](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.write(0, {0.9, 0.0}, delay), OK);
        SC_TEST_EQUAL(t.write(1, {0.45, 0.9}, delay), OK);
        SC_TEST_EQUAL(t.write(2, {0.0, 0.45}, delay), OK);
        std::vector<double> out(2);
        SC_TEST_EQUAL(t.mac({1.0, 0.5, 0.25}, out, delay), OK);
        SC_TEST_NEAR(out[0], first, 1e-10);
        SC_TEST_NEAR(out[1], second, 1e-10);
    });
    gcasim::run_simulation();
    SC_TEST_CHECK(tk.finished && tv.finished);
}

}  // namespace

int sc_main(int argc, char** argv)
{
    return sc_test::run(argc, argv,
                        {{"timing", timing},
                         {"errors", errors},
                         {"leakage_voltage", leakage_voltage},
                         {"leakage_current", leakage_current},
                         {"leakage_annotated", leakage_annotated},
                         {"rewrite", rewrite},
                         {"dac", dac},
                         {"events", events},
                         {"leakage_long_run", leakage_long_run},
                         {"mac_before_write_settles", mac_before_write_settles},
                         {"bad_params", bad_params},
                         {"bit_line_ir_drop", bit_line_ir_drop}});
}
