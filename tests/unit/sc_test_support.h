// Minimal checks for the SystemC scenario tests: each scenario is one process (sc_start cannot be
// restarted), chosen by name on the command line; the process exits non-zero on any failure.
#pragma once

#include <cmath>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <systemc>

#include "util/simulation.h"  // run_simulation(): the scenarios run their simulation through it

namespace sc_test {

inline int& failures()
{
    static int count = 0;
    return count;
}

inline void fail(const char* file, int line, const std::string& what)
{
    ++failures();
    std::cerr << file << ":" << line << ": FAILED: " << what << " (at " << sc_core::sc_time_stamp() << ")\n";
}

/// Scenarios of one executable: name -> elaborate, simulate and check.
using scenario_map = std::map<std::string, std::function<void()>>;

inline int run(int argc, char** argv, const scenario_map& scenarios)
{
    if (argc != 2 || !scenarios.count(argv[1])) {
        std::cerr << "usage: " << argv[0] << " SCENARIO; scenarios:";
        for (const auto& s : scenarios)
            std::cerr << " " << s.first;
        std::cerr << "\n";
        return 2;
    }
    try {
        scenarios.at(argv[1])();
    } catch (const sc_core::sc_report& e) {
        fail(__FILE__, __LINE__, std::string("SystemC report: ") + e.what());
    } catch (const std::exception& e) {
        fail(__FILE__, __LINE__, std::string("exception: ") + e.what());
    }
    if (failures()) {
        std::cerr << argv[1] << ": " << failures() << " check(s) failed\n";
        return 1;
    }
    std::cout << argv[1] << ": passed\n";
    return 0;
}

}  // namespace sc_test

#define SC_TEST_CHECK(cond)                                                                              \
    do {                                                                                                 \
        if (!(cond))                                                                                     \
            ::sc_test::fail(__FILE__, __LINE__, #cond);                                                  \
    } while (0)

/// |got - expected| <= tol, with both values in the message.
#define SC_TEST_NEAR(got, expected, tol)                                                                 \
    do {                                                                                                 \
        const double sc_test_got_ = (got), sc_test_expected_ = (expected);                               \
        if (!(std::fabs(sc_test_got_ - sc_test_expected_) <= (tol))) {                                   \
            std::ostringstream sc_test_text_;                                                            \
            sc_test_text_.precision(17);                                                                 \
            sc_test_text_ << #got << " = " << sc_test_got_ << ", expected " << sc_test_expected_         \
                          << " (tolerance " << (tol) << ")";                                             \
            ::sc_test::fail(__FILE__, __LINE__, sc_test_text_.str());                                    \
        }                                                                                                \
    } while (0)

/// Equality of printable values (sc_time, enums cast to int, integers), both shown on failure.
#define SC_TEST_EQUAL(got, expected)                                                                     \
    do {                                                                                                 \
        const auto sc_test_got_ = (got);                                                                 \
        const auto sc_test_expected_ = (expected);                                                       \
        if (!(sc_test_got_ == sc_test_expected_)) {                                                      \
            std::ostringstream sc_test_text_;                                                            \
            sc_test_text_ << #got << " = " << sc_test_got_ << ", expected " << sc_test_expected_;        \
            ::sc_test::fail(__FILE__, __LINE__, sc_test_text_.str());                                    \
        }                                                                                                \
    } while (0)
