// The sub-tile as a circuit, through its sockets: its chain K MAC -> charge-to-pulse -> V MAC gives
// exactly what the three blocks give when driven one by one (the oracle: separate instances with the
// same parameters and seeds); masked lines carry no pulse; the phases' delays; deferral on a
// compute pool gives the same numbers; error responses. And the layer's token barrier with the
// energy ledger: rows close only when every head has reported, columns come from what blocks publish.
// Usage: unit_sc_sub_tile SCENARIO (one elaboration per process).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "analog_payload.h"
#include "energy_ledger.h"
#include "sc_test_support.h"
#include "sub_tile.h"
#include "token_barrier.h"
#include "util/compute_pool.h"

using namespace sc_core;
using namespace gcasim;

namespace {

class driver;
using socket_t = tlm_utils::simple_initiator_socket<driver>;
constexpr auto OK = tlm::TLM_OK_RESPONSE;
constexpr auto ERROR = tlm::TLM_GENERIC_ERROR_RESPONSE;
constexpr auto per_column = gain_cell_array::orientation::token_per_column;
constexpr auto per_row = gain_cell_array::orientation::token_per_row;
const sc_time ns(1, SC_NS);

config::head_config small_tile()
{
    config::head_config c = config::default_head_config();
    c.array.tokens = 4;
    c.head_dim = 3;
    c.noise.read_sigma = 0.05;       // every MAC draws noise: the streams must match too
    c.noise.c2p_offset_sigma = 2.0;  // converters differ from each other
    return c;
}

/// One transaction on `socket`: `data` is the payload's buffer, the extension drives the block.
tlm::tlm_response_status call(socket_t& socket, tlm::tlm_command command, std::vector<double>& data,
                              sc_time& delay, const double* input = nullptr, std::size_t input_size = 0,
                              const std::vector<std::uint8_t>* enabled = nullptr, compute_pool* defer = nullptr)
{
    tlm::tlm_generic_payload gp;
    analog_payload ext;
    ext.input = input;
    ext.input_size = input_size;
    ext.line_enabled = enabled ? enabled->data() : nullptr;
    ext.defer = defer;
    gp.set_extension(&ext);
    set_vector_payload(gp, command, 0, data.data(), data.size());
    socket->b_transport(gp, delay);
    gp.clear_extension(&ext);
    return gp.get_response_status();
}

/// A debug read of one of the sub-tile's internal lines.
std::vector<double> probe(socket_t& value_socket, sub_tile_probe line, std::size_t size)
{
    std::vector<double> out(size, -1.0);
    tlm::tlm_generic_payload gp;
    set_vector_payload(gp, tlm::TLM_READ_COMMAND, static_cast<std::uint64_t>(line), out.data(), out.size());
    SC_TEST_EQUAL(value_socket->transport_dbg(gp), static_cast<unsigned>(size * sizeof(double)));
    return out;
}

/// A thread with `count` initiator sockets: `body` drives whatever they are bound to.
class driver : public sc_module {
public:
    SC_HAS_PROCESS(driver);
    driver(const sc_module_name& name, std::size_t count) : sc_module(name)
    {
        for (std::size_t i = 0; i < count; ++i)
            sockets_.push_back(std::make_unique<socket_t>(("socket_" + std::to_string(i)).c_str()));
        SC_THREAD(run);
    }
    socket_t& operator[](std::size_t i) { return *sockets_.at(i); }
    std::function<void()> body_;
    bool finished = false;

private:
    void run()
    {
        body_();
        finished = true;
    }
    std::vector<std::unique_ptr<socket_t>> sockets_;
};

const std::vector<std::vector<double>> keys = {{0.9, 0.1, 0.5}, {0.2, 0.8, 0.4}, {0.7, 0.7, 0.0}, {0.3, 0.6, 0.9}};
const std::vector<std::vector<double>> values = {{0.1, 0.9, 0.3}, {0.6, 0.2, 0.8}, {0.4, 0.5, 0.7}, {0.9, 0.3, 0.2}};
const std::vector<double> query = {1.0, 0.4, 0.7};
const std::vector<std::uint8_t> visible = {1, 0, 1, 1};

// ------------------------------------------------------------------------------------------------

void chain()
{
    const config::head_config c = small_tile();
    const std::uint64_t seed = 42;
    sub_tile tile("tile", c, seed);
    // The oracle: the same three blocks, driven one by one as a controller would.
    gain_cell_array k("k", sub_tile::array_params(c, per_column, seed));
    charge_to_pulse c2p("c2p", sub_tile::c2p_params(c, seed));
    gain_cell_array v("v", sub_tile::array_params(c, per_row, seed));
    driver d("driver", 9);
    socket_t &k_write = d[0], &v_write = d[1], &query_s = d[2], &value_s = d[3];
    socket_t &ok_write = d[4], &ov_write = d[5], &ok_mac = d[6], &oc2p = d[7], &ov_mac = d[8];
    k_write.bind(tile.k_write_socket);
    v_write.bind(tile.v_write_socket);
    query_s.bind(tile.query_socket);
    value_s.bind(tile.value_socket);
    ok_write.bind(k.write_socket);
    ov_write.bind(v.write_socket);
    ok_mac.bind(k.mac_socket);
    oc2p.bind(c2p.charge_socket);
    ov_mac.bind(v.mac_socket);

    d.body_ = [&] {
        for (std::size_t line = 0; line < 4; ++line) {
            for (auto* s : {&k_write, &ok_write}) {
                std::vector<double> data = keys[line];
                sc_time delay = SC_ZERO_TIME;
                tlm::tlm_generic_payload gp;
                set_vector_payload(gp, tlm::TLM_WRITE_COMMAND, line, data.data(), data.size());
                (*s)->b_transport(gp, delay);
                SC_TEST_EQUAL(gp.get_response_status(), OK);
            }
            for (auto* s : {&v_write, &ov_write}) {
                std::vector<double> data = values[line];
                sc_time delay = SC_ZERO_TIME;
                tlm::tlm_generic_payload gp;
                set_vector_payload(gp, tlm::TLM_WRITE_COMMAND, line, data.data(), data.size());
                (*s)->b_transport(gp, delay);
                SC_TEST_EQUAL(gp.get_response_status(), OK);
            }
        }
        wait(1, SC_US);
        // qk: the sub-tile keeps S inside; the oracle's K MAC hands it back.
        std::vector<double> q = query, s_ref(4), phi_ref(4), a(3), a_ref(3), nothing;
        sc_time delay = SC_ZERO_TIME, ref_delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(call(query_s, tlm::TLM_WRITE_COMMAND, q, delay, nullptr, 0, &visible), OK);
        SC_TEST_EQUAL(call(ok_mac, tlm::TLM_READ_COMMAND, s_ref, ref_delay, query.data(), 3, &visible), OK);
        SC_TEST_EQUAL(delay, sc_time(c.pulse.t_max_ns, SC_NS));  // T_max: whole cycles of the 1 ns clock
        SC_TEST_EQUAL(delay, ref_delay);
        wait(delay);
        // pv: converters and V MAC in series, one delay.
        delay = ref_delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(call(value_s, tlm::TLM_READ_COMMAND, a, delay), OK);
        SC_TEST_EQUAL(call(oc2p, tlm::TLM_READ_COMMAND, phi_ref, ref_delay, s_ref.data(), 4, &visible), OK);
        SC_TEST_EQUAL(call(ov_mac, tlm::TLM_READ_COMMAND, a_ref, ref_delay, phi_ref.data(), 4, &visible), OK);
        SC_TEST_EQUAL(delay, sc_time(c.pulse.t_max_ns, SC_NS));
        SC_TEST_EQUAL(delay, ref_delay);
        SC_TEST_CHECK(a == a_ref);
        SC_TEST_CHECK(probe(value_s, sub_tile_probe::column_charges, 4) == s_ref);
        const std::vector<double> phi = probe(value_s, sub_tile_probe::row_pulses, 4);
        SC_TEST_CHECK(phi == phi_ref);
        SC_TEST_EQUAL(phi[1], 0.0);  // a masked line carries no pulse
        SC_TEST_CHECK(s_ref[0] != 0.0 && a[0] != 0.0);
        SC_TEST_EQUAL(tile.c2p.events().conversions, 3u);
        SC_TEST_EQUAL(tile.v_array.events().cells_read, 9u);  // 3 visible rows x 3 cells
        SC_TEST_EQUAL(tile.k_array.events().cells_read, 9u);
    };
    run_simulation();
    SC_TEST_CHECK(d.finished);
}

/// Two identical sub-tiles; one computes on a pool lent in the payload: after the join, the same numbers.
void deferred()
{
    const config::head_config c = small_tile();
    sub_tile now("now", c, 7), later("later", c, 7);
    compute_pool pool(1);
    driver d("driver", 8);
    socket_t &nk = d[0], &nv = d[1], &nq = d[2], &nval = d[3], &lk = d[4], &lv = d[5], &lq = d[6], &lval = d[7];
    nk.bind(now.k_write_socket);
    nv.bind(now.v_write_socket);
    nq.bind(now.query_socket);
    nval.bind(now.value_socket);
    lk.bind(later.k_write_socket);
    lv.bind(later.v_write_socket);
    lq.bind(later.query_socket);
    lval.bind(later.value_socket);
    d.body_ = [&] {
        for (std::size_t line = 0; line < 4; ++line)
            for (auto [ks, vs] : {std::pair{&nk, &nv}, std::pair{&lk, &lv}}) {
                std::vector<double> kd = keys[line], vd = values[line];
                sc_time delay = SC_ZERO_TIME;
                tlm::tlm_generic_payload gp;
                set_vector_payload(gp, tlm::TLM_WRITE_COMMAND, line, kd.data(), kd.size());
                (*ks)->b_transport(gp, delay);
                set_vector_payload(gp, tlm::TLM_WRITE_COMMAND, line, vd.data(), vd.size());
                (*vs)->b_transport(gp, delay);
            }
        wait(100, SC_NS);
        for (int token = 0; token < 3; ++token) {
            std::vector<double> q = query, a_now(3), a_later(3);
            sc_time d_now = SC_ZERO_TIME, d_later = SC_ZERO_TIME;
            SC_TEST_EQUAL(call(nq, tlm::TLM_WRITE_COMMAND, q, d_now, nullptr, 0, &visible), OK);
            SC_TEST_EQUAL(call(lq, tlm::TLM_WRITE_COMMAND, q, d_later, nullptr, 0, &visible, &pool), OK);
            SC_TEST_EQUAL(d_now, d_later);
            wait(d_now);
            pool.join();  // S of the deferred K MAC exists from here on
            d_now = d_later = SC_ZERO_TIME;
            SC_TEST_EQUAL(call(nval, tlm::TLM_READ_COMMAND, a_now, d_now), OK);
            SC_TEST_EQUAL(call(lval, tlm::TLM_READ_COMMAND, a_later, d_later, nullptr, 0, nullptr, &pool), OK);
            SC_TEST_EQUAL(d_now, d_later);
            pool.join();
            SC_TEST_CHECK(a_now == a_later);
            SC_TEST_CHECK(probe(nval, sub_tile_probe::column_charges, 4) ==
                          probe(lval, sub_tile_probe::column_charges, 4));
            wait(1, SC_US);
        }
    };
    run_simulation();
    SC_TEST_CHECK(d.finished);
}

void errors()
{
    const config::head_config c = small_tile();
    sub_tile tile("tile", c, 1);
    driver d("driver", 4);
    socket_t &query_s = d[0], &value_s = d[1];
    query_s.bind(tile.query_socket);
    value_s.bind(tile.value_socket);
    d[2].bind(tile.k_write_socket);
    d[3].bind(tile.v_write_socket);
    d.body_ = [&] {
        std::vector<double> q = query, short_q = {1.0, 0.5}, a(3), long_a(4);
        sc_time delay = SC_ZERO_TIME;
        SC_TEST_EQUAL(call(query_s, tlm::TLM_READ_COMMAND, q, delay), ERROR);
        SC_TEST_EQUAL(call(query_s, tlm::TLM_WRITE_COMMAND, short_q, delay), ERROR);  // head_dim 3
        SC_TEST_EQUAL(call(value_s, tlm::TLM_WRITE_COMMAND, a, delay), ERROR);
        SC_TEST_EQUAL(call(value_s, tlm::TLM_READ_COMMAND, long_a, delay), ERROR);
        SC_TEST_EQUAL(delay, SC_ZERO_TIME);
        SC_TEST_EQUAL(tile.k_array.events().macs, 0u);
        std::vector<double> out(4);
        tlm::tlm_generic_payload gp;
        set_vector_payload(gp, tlm::TLM_READ_COMMAND, 2, out.data(), out.size());  // no such line
        SC_TEST_EQUAL(value_s->transport_dbg(gp), 0u);
        SC_TEST_EQUAL(gp.get_response_status(), ERROR);
        SC_TEST_EQUAL(call(query_s, tlm::TLM_WRITE_COMMAND, q, delay), OK);  // no enables: every line
        SC_TEST_EQUAL(call(value_s, tlm::TLM_READ_COMMAND, a, delay), OK);
        SC_TEST_EQUAL(tile.c2p.events().conversions, 4u);
    };
    run_simulation();
    SC_TEST_CHECK(d.finished);
}

// ------------------------------------------------------------------------------------------------

/// A block that publishes one energy counter, `pj` per event it counts.
class counting_block : public sc_module, public cost_publisher {
public:
    counting_block(const sc_module_name& name, const char* component, const char* part, double pj)
        : sc_module(name), component_(component), part_(part), aj_per_event_(static_cast<std::uint64_t>(pj * 1e6))
    {
    }
    std::vector<cost_counter> cost_counters() const override { return {{component_, part_, &spent}}; }
    void count(std::uint64_t events) { spent += events * aj_per_event_; }
    gcasim::attojoules spent = 0;

private:
    const char *component_, *part_;
    std::uint64_t aj_per_event_;
};

/// A block with a static power only.
class leaking_block : public sc_module, public cost_publisher {
public:
    leaking_block(const sc_module_name& name, double microwatts) : sc_module(name), microwatts_(microwatts) {}
    std::vector<cost_counter> cost_counters() const override { return {}; }
    std::vector<static_power> static_powers() const override { return {{"leak", "digital", microwatts_}}; }

private:
    double microwatts_;
};

/// head_0 holds a digital block and a qk block, head_1 only a digital block.
class fake_head : public sc_module {
public:
    fake_head(const sc_module_name& name, bool with_qk)
        : sc_module(name), control("control", "x", "digital", 1.0), keys(with_qk ? "keys" : "unused", "y", "qk", 0.5)
    {
    }
    counting_block control, keys;
};

class closed_log : public token_closed_listener {
public:
    void on_token_closed(std::size_t token, const sc_time&) override { tokens.push_back(token); }
    std::vector<std::size_t> tokens;
};

void barrier_and_ledger()
{
    fake_head head0("head_0", true), head1("head_1", false);
    head1.keys.spent = 0;  // the same counter exists in head_1 but never counts
    energy_ledger ledger(1);
    token_barrier barrier(2);
    closed_log log;
    barrier.add_observer(&ledger);
    barrier.add_listener(&ledger);
    barrier.add_listener(&log);
    ledger.attach(0, head0);
    ledger.attach(1, head1);
    // Columns: by published part (qk before digital), whatever the order the blocks were found in.
    SC_TEST_EQUAL(ledger.columns().size(), 2u);
    SC_TEST_EQUAL(ledger.columns()[0].component, std::string("y"));
    SC_TEST_EQUAL(ledger.columns()[1].component, std::string("x"));
    std::vector<energy_ledger::row> rows;
    ledger.set_row_sink([&](const energy_ledger::row& r) { rows.push_back(r); });

    const std::vector<long> slots = {0};
    const std::vector<std::uint8_t> seen = {1};
    const std::vector<double> none = {0.0};
    const auto report = [&](std::size_t head, std::size_t token) {
        barrier.on_token({head, token, SC_ZERO_TIME, SC_ZERO_TIME, {}, slots, seen, none, none, none});
    };
    head0.control.count(2);
    head0.keys.count(4);
    report(0, 0);
    head0.control.count(3);  // head 0 runs a token ahead
    report(0, 1);
    SC_TEST_EQUAL(log.tokens.size(), 0u);
    SC_TEST_EQUAL(ledger.rows(), 0u);
    head1.control.count(5);
    report(1, 0);
    SC_TEST_EQUAL(log.tokens.size(), 1u);
    SC_TEST_EQUAL(barrier.tokens_closed(), 1u);
    head1.control.count(1);
    report(1, 1);
    SC_TEST_CHECK(log.tokens == (std::vector<std::size_t>{0, 1}));
    SC_TEST_EQUAL(rows.size(), 2u);
    // Each head's counters are read when that head reports: head 0's token-1 events stay in row 1.
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[0].energy[0]), 2.0);   // 4 x 0.5
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[0].energy[1]), 7.0);   // (2 + 5) x 1
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[0].total), 9.0);
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[1].energy[0]), 0.0);
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[1].energy[1]), 4.0);   // 3 + 1
    SC_TEST_EQUAL(rows[1].token, 1u);
}

/// Static power is charged for the simulated time since the head's previous report (from time 0
/// for the first): 2.5 uW x 100 ns = 250 fJ, then x 300 ns = 750 fJ; independent of the counters.
void ledger_static_power()
{
    leaking_block block("block", 2.5);
    energy_ledger ledger(1);
    ledger.attach(0, block);
    SC_TEST_EQUAL(ledger.columns().size(), 1u);
    std::vector<energy_ledger::row> rows;
    ledger.set_row_sink([&](const energy_ledger::row& r) { rows.push_back(r); });
    const std::vector<long> slots = {0};
    const std::vector<std::uint8_t> seen = {1};
    const std::vector<double> none = {0.0};
    driver d("driver", 0);
    d.body_ = [&] {
        for (std::size_t t = 0; t < 2; ++t) {
            wait((t == 0 ? 100 : 300) * ns);
            ledger.on_token({0, t, SC_ZERO_TIME, SC_ZERO_TIME, {}, slots, seen, none, none, none});
            ledger.on_token_closed(t, sc_time_stamp());
        }
    };
    run_simulation();
    SC_TEST_CHECK(d.finished);
    SC_TEST_EQUAL(rows.size(), 2u);
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[0].total), 0.25);  // 250 fJ
    SC_TEST_EQUAL(energy_ledger::to_pj(rows[1].total), 0.75);
}

}  // namespace

int sc_main(int argc, char** argv)
{
    return sc_test::run(argc, argv,
                        {{"chain", chain}, {"deferred", deferred}, {"errors", errors},
                         {"barrier_and_ledger", barrier_and_ledger}, {"ledger_static_power", ledger_static_power}});
}
