// Probes of LeakSanitizer on a SystemC program, for the sanitized build only (tests/sanitizer/).
// Each scenario is one process: EXE SCENARIO.
//   leak_in_thread       an SC_THREAD drops the only pointer to 4242 bytes: LeakSanitizer must report
//                        it at exit (leak checking is on for SystemC code too).
//   held_after_end       a block referenced only from sc_main's stack survives a simulation whose
//                        last SC_THREAD ends; a leak check must find it reachable (ASan knows the
//                        main thread's stack again after run_simulation()).
//   held_after_sc_stop   the same, the simulation ended by sc_stop() from a thread that is still alive.
#include <cstdio>
#include <cstring>
#include <string>

#include <sanitizer/lsan_interface.h>
#include <systemc>

#include "util/simulation.h"

namespace {

constexpr std::size_t leaked_bytes = 4242;

struct probe : sc_core::sc_module {
    bool stop_while_alive;
    explicit probe(sc_core::sc_module_name name, bool stop, bool leak) : sc_module(name), stop_while_alive(stop)
    {
        if (leak) {
            SC_THREAD(leak_thread);
        } else {
            SC_THREAD(work_thread);
        }
    }
    SC_HAS_PROCESS(probe);

    __attribute__((noinline)) void leak_thread()
    {
        char* volatile block = new char[leaked_bytes];
        std::memset(block, 1, leaked_bytes);
        wait(1, sc_core::SC_NS);
        block = nullptr;  // the only reference is gone: a leak
    }

    void work_thread()
    {
        for (int i = 0; i < 3; ++i)
            wait(1, sc_core::SC_NS);
        if (stop_while_alive) {
            sc_core::sc_stop();
            wait(1, sc_core::SC_NS);  // never resumed: this thread is still alive when sc_start returns
        }
    }
};

/// The only reference to the block sits in this frame, on the main thread's stack.
__attribute__((noinline)) int held_on_main_stack(bool stop_while_alive)
{
    char* volatile held = new char[leaked_bytes];
    std::memset(held, 2, leaked_bytes);
    probe p("probe", stop_while_alive, false);
    gcasim::run_simulation();
    const int leaks = __lsan_do_recoverable_leak_check();
    std::printf("leak check after the simulation: %s\n", leaks ? "LEAKS REPORTED" : "no leaks");
    delete[] held;
    return leaks ? 1 : 0;
}

}  // namespace

int sc_main(int argc, char* argv[])
{
    const std::string scenario = argc == 2 ? argv[1] : "";
    if (scenario == "leak_in_thread") {
        probe p("probe", false, true);
        gcasim::run_simulation();
        return 0;  // LeakSanitizer reports at exit
    }
    if (scenario == "held_after_end")
        return held_on_main_stack(false);
    if (scenario == "held_after_sc_stop")
        return held_on_main_stack(true);
    std::fprintf(stderr, "usage: %s leak_in_thread|held_after_end|held_after_sc_stop\n", argv[0]);
    return 2;
}
