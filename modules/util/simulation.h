// The one way gcasim runs a SystemC simulation: every sc_main calls run_simulation(), never
// sc_start() itself (ctest no_raw_sc_start checks the sources), so that no entry point can forget
// what AddressSanitizer and LeakSanitizer need after it.
//
// Why. Debian's libsystemc 2.3.4 runs SC_THREADs on QuickThreads coroutines (mmap'ed stacks) and
// tells ASan of a switch only when one coroutine *yields* to another
// (__sanitizer_start/finish_switch_fiber), and then with bounds {0, 0} for the main coroutine, whose
// stack it never learnt. When an SC_THREAD *ends* it switches away with QUICKTHREADS_ABORT and tells
// ASan nothing. So when sc_start() returns, ASan takes for the main thread's stack either nothing
// ({0, 0}) or the stack of the last SC_THREAD that ended — 256 KB that SystemC munmaps when it deletes
// that process. Two kinds of harm follow on the main stack:
//  - LeakSanitizer, at exit, scans the main thread's stack from those bounds: "stack pointer not in
//    stack range", it skips the unmapped pages at the start of the range and scans the rest. Where a
//    later mmap has reused part of the freed range, the first page is readable and a later one is
//    not, and LSan's tracer dies ("Tracer caught signal 11", "LeakSanitizer has encountered a fatal
//    error") — more or less often by address-space layout, so by machine. With {0, 0} it scans
//    nothing of the main stack, and a block held only there is reported as leaked.
//  - A throw on the main stack: __asan_handle_no_return sees a stack it cannot trust, prints
//    "ASan is ignoring requested __asan_handle_no_return", leaves the unwound frames poisoned, and a
//    later, false stack-use-after-scope report follows.
// The cure is the fiber switch SystemC leaves out: a switch from the current stack to itself, with
// the main thread's true bounds, right after sc_start() returns or throws, plus clearing the
// poison an unwind with the wrong bounds may have left in the dead part of the stack. Nothing is
// relaxed: leak, stack and heap checking stay on (tests/sanitizer/ shows a leak in an SC_THREAD is
// still reported and a block held on the main stack is not).
#pragma once

#include <systemc>

namespace gcasim {

/// sc_start() until no events are left (or sc_stop()), then hands ASan the main thread's stack back,
/// also when the simulation throws.
void run_simulation();

/// The same for a fixed simulated duration.
void run_simulation(const sc_core::sc_time& duration);

}  // namespace gcasim
