// digital_engine and offchip_memory through their TLM sockets: an op takes max(compute, stream),
// compute scales with the micro-batch while the stream does not, engines sharing the memory queue
// behind each other, ops on one engine run in turn, the energy counters follow price(), errors.
// Usage: unit_sc_digital_engine SCENARIO (one elaboration per process).
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "config/engine_config.h"
#include "device/digital_cost.h"
#include "digital_engine.h"
#include "offchip_memory.h"
#include "sc_test_support.h"

using namespace sc_core;
using namespace gcasim;
using device::digital_op;

namespace {

constexpr auto OK = tlm::TLM_OK_RESPONSE;
constexpr auto ERROR = tlm::TLM_GENERIC_ERROR_RESPONSE;
const sc_time ns(1, SC_NS);

/// Round figures: a 1 ns clock, 1000 MACs and 10 vector ops per cycle; 100 GB/s = 100 bytes per ns.
digital_engine::params hand_params()
{
    digital_engine::params p;
    p.engine = config::default_engine_config();
    p.engine.clock_period_ns = 1;
    p.engine.macs_per_cycle = 1000;
    p.engine.vector_ops_per_cycle = 10;
    p.engine.precision = config::engine_precision::int8;
    p.engine.sram_kib = 64;
    p.engine.sram_um2_per_bit = 1;
    p.memory = {100, 100};
    p.leakage_uw_per_mm2 = 50;
    return p;
}

/// An op of `compute_ns` cycles of MACs that reads `weight_bytes` (at the hand parameters).
digital_op op_of(const std::string& name, double compute_ns, double weight_bytes)
{
    return {name, 1000 * compute_ns, 0, weight_bytes, 64, weight_bytes};
}

/// `engines` engines on one memory, driven from one thread by `body`.
class bench : public sc_module {
public:
    offchip_memory memory;
    std::vector<std::unique_ptr<digital_engine>> engines;
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<bench>>> sockets;

    SC_HAS_PROCESS(bench);
    bench(const sc_module_name& name, std::size_t count, const digital_engine::params& p,
          std::function<void(bench&)> body)
        : sc_module(name), memory("memory", p.memory), body_(std::move(body))
    {
        for (std::size_t i = 0; i < count; ++i) {
            engines.push_back(std::make_unique<digital_engine>(("engine_" + std::to_string(i)).c_str(), p));
            sockets.push_back(std::make_unique<tlm_utils::simple_initiator_socket<bench>>(
                ("to_engine_" + std::to_string(i)).c_str()));
            sockets.back()->bind(engines.back()->socket);
            engines.back()->memory.bind(memory.socket);
        }
        SC_THREAD(run);
    }

    /// Sends `op` to engine `i` with `delay` annotated; returns the response.
    tlm::tlm_response_status send(std::size_t i, const digital_op* op, std::size_t tokens, bool resident,
                                  sc_time& delay, bool with_extension = true)
    {
        tlm::tlm_generic_payload gp;
        digital_op_extension ext;
        ext.op = op;
        ext.tokens = tokens;
        ext.weights_resident = resident;
        gp.set_command(tlm::TLM_IGNORE_COMMAND);
        gp.set_data_ptr(nullptr);
        gp.set_data_length(0);
        if (with_extension)
            gp.set_extension(&ext);
        (*sockets[i])->b_transport(gp, delay);
        if (with_extension)
            gp.clear_extension(&ext);
        return gp.get_response_status();
    }

    /// Runs `op` on engine `i` now and waits until it is done; returns its duration.
    sc_time run_op(std::size_t i, const digital_op& op, std::size_t tokens, bool resident)
    {
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(send(i, &op, tokens, resident, delay), OK);
        wait(delay);
        return delay;
    }

    bool finished = false;

private:
    void run()
    {
        body_(*this);
        finished = true;
    }
    std::function<void(bench&)> body_;
};

void simulate(std::size_t engines, const digital_engine::params& p, std::function<void(bench&)> body)
{
    bench b("bench", engines, p, std::move(body));
    run_simulation();
    SC_TEST_CHECK(b.finished);
}

// Compute-bound and stream-bound ops: each takes the longer of the two.
void op_time()
{
    simulate(1, hand_params(), [](bench& b) {
        const digital_op compute_bound = op_of("compute_bound", 100, 1000);  // stream 10 ns
        const digital_op stream_bound = op_of("stream_bound", 1, 100000);    // stream 1000 ns
        SC_TEST_EQUAL(b.run_op(0, compute_bound, 1, false), 100 * ns);
        SC_TEST_EQUAL(b.engines[0]->last_op().compute, 100 * ns);
        SC_TEST_EQUAL(b.engines[0]->last_op().stream, 10 * ns);
        SC_TEST_EQUAL(b.engines[0]->last_op().start, SC_ZERO_TIME);
        SC_TEST_EQUAL(b.run_op(0, stream_bound, 1, false), 1000 * ns);
        SC_TEST_EQUAL(b.engines[0]->last_op().compute, 1 * ns);
        SC_TEST_EQUAL(b.engines[0]->last_op().start, 100 * ns);
        // Resident: no stream, the compute alone.
        SC_TEST_EQUAL(b.run_op(0, stream_bound, 1, true), 1 * ns);
        SC_TEST_EQUAL(b.memory.total().bytes, 101000u);
        SC_TEST_EQUAL(b.memory.total().transfers, 2u);
        SC_TEST_EQUAL(b.engines[0]->ops_run(), 3u);
        SC_TEST_EQUAL(b.engines[0]->busy_time(), 1101 * ns);
    });
}

// A micro-batch of n sequences: n times the compute, one stream.
void tokens_scale()
{
    simulate(1, hand_params(), [](bench& b) {
        const digital_op op = op_of("op", 10, 10000);  // compute 10 ns per token, stream 100 ns
        SC_TEST_EQUAL(b.run_op(0, op, 1, false), 100 * ns);
        SC_TEST_EQUAL(b.run_op(0, op, 5, false), 100 * ns);  // 50 ns of compute under the stream
        SC_TEST_EQUAL(b.engines[0]->last_op().compute, 50 * ns);
        SC_TEST_EQUAL(b.run_op(0, op, 20, false), 200 * ns);  // now compute-bound
        SC_TEST_EQUAL(b.engines[0]->last_op().stream, 100 * ns);
        SC_TEST_EQUAL(b.memory.total().bytes, 30000u);  // one stream per call, whatever the tokens
    });
}

// Two engines reading at once take twice as long as one: the memory is busy until the first is done.
void contention()
{
    simulate(2, hand_params(), [](bench& b) {
        const digital_op op = op_of("op", 1, 50000);  // stream 500 ns
        SC_TEST_EQUAL(b.run_op(0, op, 1, false), 500 * ns);
        const sc_time t0 = sc_time_stamp();
        sc_time first = SC_ZERO_TIME, second = SC_ZERO_TIME;
        SC_TEST_EQUAL(b.send(0, &op, 1, false, first), OK);
        SC_TEST_EQUAL(b.send(1, &op, 1, false, second), OK);
        SC_TEST_EQUAL(first, 500 * ns);
        SC_TEST_EQUAL(second, 1000 * ns);  // waited 500 ns for the interface
        SC_TEST_EQUAL(b.engines[1]->last_op().start, t0);
        SC_TEST_EQUAL(b.engines[1]->last_op().stream, 1000 * ns);
        SC_TEST_EQUAL(b.memory.busy_until(), t0 + 1000 * ns);
        wait(second);
        // An engine whose compute is longer than the wait hides it.
        const digital_op long_compute = op_of("long_compute", 2000, 50000);
        sc_time a = SC_ZERO_TIME, c = SC_ZERO_TIME;
        SC_TEST_EQUAL(b.send(0, &op, 1, false, a), OK);
        SC_TEST_EQUAL(b.send(1, &long_compute, 1, false, c), OK);
        SC_TEST_EQUAL(c, 2000 * ns);
        SC_TEST_EQUAL(b.engines[1]->last_op().stream, 1000 * ns);
        wait(c);
        SC_TEST_EQUAL(b.memory.per_initiator().size(), 2u);
        SC_TEST_EQUAL(b.memory.per_initiator()[0].bytes, 150000u);
        SC_TEST_EQUAL(b.memory.per_initiator()[1].bytes, 100000u);
        SC_TEST_EQUAL(b.memory.total().busy, 2500 * ns);
    });
}

// A stream beyond a payload's 32-bit length goes as several reads, back to back: the same time.
void large_stream()
{
    simulate(1, hand_params(), [](bench& b) {
        const digital_op op = op_of("op", 1, 5e9);  // 5 GB at 100 GB/s: 50 ms
        SC_TEST_EQUAL(b.run_op(0, op, 1, false), sc_time(50, SC_MS));
        SC_TEST_EQUAL(b.memory.total().bytes, 5000000000u);
        SC_TEST_EQUAL(b.memory.total().transfers, 2u);
        SC_TEST_NEAR(static_cast<double>(b.engines[0]->energy().memory) * 1e-6, 5e9 * 100, 1e-3);
    });
}

// A GPT-2 small layer at the default keys on one engine, alone on the memory: the simulated time and
// energy are price_pass()'s (each op's time rounded to the 1 ps resolution).
void layer_pass()
{
    digital_engine::params p;
    p.engine = config::default_engine_config();
    p.memory = config::default_memory_config();
    p.leakage_uw_per_mm2 = 50;
    const device::decoder_shape small{768, 12, 64, 12, 4, 50257, 1024};
    const std::vector<digital_op> ops = device::decoder_layer_ops(small, p.engine.precision);
    simulate(1, p, [&](bench& b) {
        for (std::size_t tokens : {std::size_t{1}, std::size_t{16}}) {
            const bool resident = device::layer_weights_resident(small, p.engine);
            const device::pass_cost expected = device::price_pass(ops, p.engine, p.memory, tokens, resident);
            const sc_time begin = sc_time_stamp();
            const attojoules before =
                b.engines[0]->energy().mac + b.engines[0]->energy().sram + b.engines[0]->energy().memory;
            for (const digital_op& op : ops)
                b.run_op(0, op, tokens, resident);
            SC_TEST_NEAR((sc_time_stamp() - begin).to_seconds() * 1e9, expected.time_ns, ops.size() * 1e-3);
            const attojoules after =
                b.engines[0]->energy().mac + b.engines[0]->energy().sram + b.engines[0]->energy().memory;
            SC_TEST_NEAR(static_cast<double>(after - before) * 1e-6, expected.total_pj(), 1e-9 * expected.total_pj());
        }
    });
}

// Ops sent to one engine at once run one after another; the listener hears each.
void back_to_back()
{
    std::vector<digital_engine::op_record> heard;
    simulate(1, hand_params(), [&heard](bench& b) {
        b.engines[0]->set_op_listener([&heard](const digital_engine::op_record& r) { heard.push_back(r); });
        const digital_op a = op_of("a", 30, 0), c = op_of("c", 20, 0);
        sc_time first = 5 * ns, second = SC_ZERO_TIME;
        SC_TEST_EQUAL(b.send(0, &a, 1, true, first), OK);
        SC_TEST_EQUAL(b.send(0, &c, 1, true, second), OK);
        SC_TEST_EQUAL(first, 35 * ns);
        SC_TEST_EQUAL(second, 55 * ns);  // starts when a is done
        SC_TEST_EQUAL(b.engines[0]->busy_until(), 55 * ns);
    });
    SC_TEST_EQUAL(heard.size(), 2u);
    if (heard.size() == 2) {
        SC_TEST_EQUAL(heard[0].name, std::string("a"));
        SC_TEST_EQUAL(heard[0].start, 5 * ns);
        SC_TEST_EQUAL(heard[0].duration, 30 * ns);
        SC_TEST_EQUAL(heard[1].name, std::string("c"));
        SC_TEST_EQUAL(heard[1].start, 35 * ns);
        SC_TEST_EQUAL(heard[1].duration, 20 * ns);
    }
}

// The counters add up what price() says; the memory's energy is the engines'; static power x time.
void energy()
{
    const digital_engine::params p = hand_params();
    simulate(2, p, [&p](bench& b) {
        const digital_op op{"op", 12345, 678, 4321, 999, 4321};
        const device::op_cost streamed = device::price(op, p.engine, p.memory, 3, false);
        const device::op_cost resident = device::price(op, p.engine, p.memory, 2, true);
        b.run_op(0, op, 3, false);
        b.run_op(1, op, 2, true);
        b.run_op(1, op, 3, false);
        const auto pj = [](attojoules aj) { return static_cast<double>(aj) * 1e-6; };
        const digital_engine& e0 = *b.engines[0];
        const digital_engine& e1 = *b.engines[1];
        SC_TEST_NEAR(pj(e0.energy().mac), streamed.mac_pj, 1e-6);
        SC_TEST_NEAR(pj(e0.energy().sram), streamed.sram_pj, 1e-6);
        SC_TEST_NEAR(pj(e0.energy().memory), 4321 * 100.0, 1e-6);
        SC_TEST_NEAR(pj(e1.energy().mac), resident.mac_pj + streamed.mac_pj, 1e-6);
        SC_TEST_NEAR(pj(e1.energy().sram), resident.sram_pj + streamed.sram_pj, 1e-6);
        SC_TEST_CHECK(e0.energy().memory + e1.energy().memory == b.memory.total().energy);
        // Static power: area x leakage; its energy over a time is power x time.
        SC_TEST_NEAR(e0.static_uw(), device::engine_area_um2(p.engine) / 1e6 * 50, 1e-9);
        SC_TEST_NEAR(e0.static_pj(1000 * ns), e0.static_uw() * 1e-6 * 1e-6 * 1e12, 1e-9);
        SC_TEST_EQUAL(e0.cost_counters().size(), 3u);
        SC_TEST_EQUAL(std::string(e0.static_powers().at(0).component), std::string("engine_static"));
    });
}

void errors()
{
    // Parameters out of range (before the simulation: modules are built at elaboration): the message
    // names the module, the key, the value.
    const auto message = [](std::function<void()> build) {
        try {
            build();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    digital_engine::params p = hand_params();
    p.engine.macs_per_cycle = 0;
    const std::string macs = message([&p] { digital_engine e("bad_macs", p); });
    SC_TEST_CHECK(macs.find("bad_macs: engine.macs_per_cycle = 0: must be >= 1") != std::string::npos);
    p = hand_params();
    p.memory.bandwidth_gb_s = -1;
    const std::string bandwidth = message([&p] { offchip_memory m("bad_memory", p.memory); });
    SC_TEST_CHECK(bandwidth.find("bad_memory: memory.bandwidth_gb_s = -1: must be > 0") != std::string::npos);

    simulate(1, hand_params(), [](bench& b) {
        const digital_op op = op_of("op", 10, 100);
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(b.send(0, &op, 1, false, delay, false), ERROR);  // no extension
        SC_TEST_EQUAL(b.send(0, nullptr, 1, false, delay), ERROR);     // no op
        SC_TEST_EQUAL(b.send(0, &op, 0, false, delay), ERROR);         // no tokens
        SC_TEST_EQUAL(delay, SC_ZERO_TIME);
        SC_TEST_EQUAL(b.engines[0]->ops_run(), 0u);
        SC_TEST_EQUAL(b.memory.total().transfers, 0u);
    });
}

}  // namespace

int sc_main(int argc, char** argv)
{
    return sc_test::run(argc, argv,
                        {{"op_time", op_time},
                         {"tokens_scale", tokens_scale},
                         {"contention", contention},
                         {"large_stream", large_stream},
                         {"layer_pass", layer_pass},
                         {"back_to_back", back_to_back},
                         {"energy", energy},
                         {"errors", errors}});
}
