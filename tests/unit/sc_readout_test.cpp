// readout through its TLM sockets: per-sub-tile conversion + digital adders vs charge sharing,
// the counter's clip modes, delays, event counters, error responses.
// Usage: unit_sc_readout SCENARIO (one elaboration per process).
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "analog_payload.h"
#include "attention_head.h"
#include "config/head_config.h"
#include "config/run_config.h"
#include "readout.h"
#include "sc_test_support.h"

using namespace sc_core;
using namespace gcasim;
using device::combine_mode;
using device::output_clip;

namespace {

constexpr auto OK = tlm::TLM_OK_RESPONSE;
constexpr auto ERROR = tlm::TLM_GENERIC_ERROR_RESPONSE;
const sc_time ns(1, SC_NS);

class tester : public sc_module {
public:
    tlm_utils::simple_initiator_socket<tester> convert_socket{"convert_socket"};
    tlm_utils::simple_initiator_socket<tester> combine_socket{"combine_socket"};
    bool finished = false;

    SC_HAS_PROCESS(tester);
    tester(const sc_module_name& name, readout& r, std::function<void(tester&)> body)
        : sc_module(name), readout_(r), body_(std::move(body))
    {
        convert_socket.bind(r.convert_socket);
        combine_socket.bind(r.combine_socket);
        SC_THREAD(run);
    }

    tlm::tlm_response_status call(tlm_utils::simple_initiator_socket<tester>& socket, const std::vector<double>& in,
                                  std::vector<double>& out, sc_time& delay, bool with_extension = true,
                                  tlm::tlm_command command = tlm::TLM_READ_COMMAND)
    {
        tlm::tlm_generic_payload gp;
        analog_payload ext;
        ext.input = in.data();
        ext.input_size = in.size();
        if (with_extension)
            gp.set_extension(&ext);
        set_vector_payload(gp, command, 0, out.data(), out.size());
        socket->b_transport(gp, delay);
        if (with_extension)
            gp.clear_extension(&ext);
        return gp.get_response_status();
    }

    readout& target() { return readout_; }

private:
    void run()
    {
        body_(*this);
        finished = true;
    }
    readout& readout_;
    std::function<void(tester&)> body_;
};

readout::params params(std::size_t tiles, std::size_t width, combine_mode combine, output_clip clip)
{
    // The default head's readout (scale 40, 32 levels; its phases at the design point: readout 1 + 16
    // cycles, digital 4 + 1 + 3 cycles of 1 ns), resized.
    readout::params p = attention_head::readout_params(config::default_head_config(), 0);
    p.sub_tiles = tiles;
    p.width = width;
    p.combine = combine;
    p.clip = clip;
    return p;
}

void simulate(const readout::params& p, std::function<void(tester&)> body)
{
    readout r("readout", p);
    tester t("tester", r, std::move(body));
    gcasim::run_simulation();
    SC_TEST_CHECK(t.finished);
}

// Charges of 3 sub-tiles x 2 dimensions (sub-tile major). Divided by 40: 0.5, -0.2 | 1, 2.5 | -1.5, 0.1
// -> steps of 2/31: 7.75 -> 8, -3.1 -> -3 | 15.5 -> 16, clamp -> 16 | clamp -> -16, 1.55 -> 2.
const std::vector<double> adder_charges{20, -8, 40, 100, -60, 4};

void check_digital_adders(output_clip clip)
{
    simulate(params(3, 2, combine_mode::digital_adders, clip), [clip](tester& t) {
        SC_TEST_EQUAL(t.target().converted_size(), 6u);
        std::vector<double> converted(6), out(2);
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.call(t.convert_socket, adder_charges, converted, delay), OK);
        SC_TEST_EQUAL(delay, 17 * ns);
        const double full = clip == output_clip::authors ? 16 : 15;  // steps at +-1
        const double expected[6] = {8, -3, full, full, -full, 2};
        for (int i = 0; i < 6; ++i)
            SC_TEST_NEAR(converted[i], expected[i] * 2 / 31, 1e-15);
        SC_TEST_EQUAL(t.call(t.combine_socket, converted, out, delay), OK);
        SC_TEST_EQUAL(delay, 25 * ns);
        SC_TEST_EQUAL(sc_time_stamp(), SC_ZERO_TIME);
        // e0 = 8 + full - full steps; e1 = -3 + full + 2 steps.
        SC_TEST_NEAR(out[0], 16.0 / 31, 1e-14);
        SC_TEST_NEAR(out[1], (-3 + full + 2) * 2 / 31, 1e-14);
        SC_TEST_EQUAL(t.target().events().conversions, 6u);
        SC_TEST_EQUAL(t.target().events().adder_ops, 4u);  // (3 - 1) x 2
    });
}

void digital_adders() { check_digital_adders(output_clip::authors); }
void digital_adders_counter() { check_digital_adders(output_clip::counter); }

// Charge sharing: per dimension sum of the 3 sub-tiles / (40 x 3), one conversion, times 3.
// e0: 90/120 = 0.75 -> 11.625 steps -> 12; e1: 100/120 -> 12.92 -> 13; e2: 180/120 clamps to 1.
void check_charge_sharing(output_clip clip)
{
    simulate(params(3, 3, combine_mode::charge_sharing, clip), [clip](tester& t) {
        SC_TEST_EQUAL(t.target().converted_size(), 3u);
        const std::vector<double> charges{30, 50, 60, 30, 70, 60, 30, -20, 60};
        std::vector<double> converted(3), out(3);
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(t.call(t.convert_socket, charges, converted, delay), OK);
        const double full = clip == output_clip::authors ? 16 : 15;
        SC_TEST_NEAR(converted[0], 24.0 / 31, 1e-15);
        SC_TEST_NEAR(converted[1], 26.0 / 31, 1e-15);
        SC_TEST_NEAR(converted[2], full * 2 / 31, 1e-15);
        SC_TEST_EQUAL(t.call(t.combine_socket, converted, out, delay), OK);
        SC_TEST_EQUAL(delay, 25 * ns);
        SC_TEST_NEAR(out[0], 72.0 / 31, 1e-14);
        SC_TEST_NEAR(out[1], 78.0 / 31, 1e-14);
        SC_TEST_NEAR(out[2], 3 * full * 2 / 31, 1e-14);
        SC_TEST_EQUAL(t.target().events().conversions, 3u);  // one per dimension
        SC_TEST_EQUAL(t.target().events().adder_ops, 3u);    // one scaling per dimension
    });
}

void charge_sharing() { check_charge_sharing(output_clip::authors); }
void charge_sharing_counter() { check_charge_sharing(output_clip::counter); }

// readout::convert directly: clip modes, other level counts, ideal counter.
void convert()
{
    readout::params authors = params(1, 1, combine_mode::digital_adders, output_clip::authors);
    readout::params counter = params(1, 1, combine_mode::digital_adders, output_clip::counter);
    readout::params authors16 = authors, counter16 = counter, ideal = authors;
    authors16.counter_levels = counter16.counter_levels = 16;  // step 2/15, +-1 = +-7.5 steps
    ideal.counter_levels = 0;
    readout ra("ra", authors), rc("rc", counter), ra16("ra16", authors16), rc16("rc16", counter16), ri("ri", ideal);
    SC_TEST_NEAR(ra.convert(1.0), 32.0 / 31, 1e-15);
    SC_TEST_NEAR(ra.convert(-1.0), -32.0 / 31, 1e-15);
    SC_TEST_NEAR(ra.convert(5.0), 32.0 / 31, 1e-15);
    SC_TEST_NEAR(rc.convert(1.0), 30.0 / 31, 1e-15);
    SC_TEST_NEAR(rc.convert(-1.0), -30.0 / 31, 1e-15);
    SC_TEST_NEAR(rc.convert(-5.0), -30.0 / 31, 1e-15);
    SC_TEST_NEAR(rc.convert(0.99), 30.0 / 31, 1e-15);  // 15.35 steps: inside both modes
    SC_TEST_NEAR(ra.convert(0.99), 30.0 / 31, 1e-15);
    SC_TEST_NEAR(ra.convert(1.0 / 31), 0.0, 0.0);      // half a step -> 0
    SC_TEST_NEAR(rc.convert(-0.2), -6.0 / 31, 1e-15);
    SC_TEST_NEAR(ra16.convert(1.0), 16.0 / 15, 1e-15);  // 7.5 -> 8
    SC_TEST_NEAR(rc16.convert(1.0), 14.0 / 15, 1e-15);  // saturates at 7 steps
    SC_TEST_NEAR(rc16.convert(-0.9), -14.0 / 15, 1e-15);  // 6.75 -> 7
    SC_TEST_NEAR(ri.convert(0.123), 0.123, 0.0);
    SC_TEST_NEAR(ri.convert(3.0), 1.0, 0.0);
    SC_TEST_NEAR(ri.convert(-3.0), -1.0, 0.0);
}

void errors()
{
    simulate(params(2, 2, combine_mode::digital_adders, output_clip::authors), [](tester& t) {
        sc_time delay = SC_ZERO_TIME;
        std::vector<double> converted(4), out(2), wrong(3);
        const std::vector<double> charges{1, 2, 3, 4};
        SC_TEST_EQUAL(t.call(t.convert_socket, charges, converted, delay, false), ERROR);
        SC_TEST_EQUAL(t.call(t.convert_socket, charges, converted, delay, true, tlm::TLM_WRITE_COMMAND), ERROR);
        SC_TEST_EQUAL(t.call(t.convert_socket, {1, 2, 3}, converted, delay), ERROR);
        SC_TEST_EQUAL(t.call(t.convert_socket, charges, wrong, delay), ERROR);
        SC_TEST_EQUAL(t.call(t.combine_socket, {1, 2}, out, delay), ERROR);     // needs 4 converted
        SC_TEST_EQUAL(t.call(t.combine_socket, charges, wrong, delay), ERROR);
        SC_TEST_EQUAL(t.call(t.combine_socket, charges, out, delay, false), ERROR);
        SC_TEST_EQUAL(t.target().events().conversions, 0u);
        SC_TEST_EQUAL(t.target().events().adder_ops, 0u);
        SC_TEST_EQUAL(t.call(t.convert_socket, charges, converted, delay), OK);
        SC_TEST_EQUAL(t.call(t.combine_socket, converted, out, delay), OK);
    });
}

}  // namespace

int sc_main(int argc, char** argv)
{
    return sc_test::run(argc, argv,
                        {{"digital_adders", digital_adders},
                         {"digital_adders_counter", digital_adders_counter},
                         {"charge_sharing", charge_sharing},
                         {"charge_sharing_counter", charge_sharing_counter},
                         {"convert", convert},
                         {"errors", errors}});
}
