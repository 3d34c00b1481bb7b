// AddressSanitizer and SystemC's coroutines: give ASan the main thread's stack back after sc_start().
//
// Debian's libsystemc 2.3.4 (QuickThreads) announces a switch *into* a coroutine to ASan
// (__sanitizer_start/finish_switch_fiber), but not the return to the main stack when an SC_THREAD
// ends (qt_abort), and it passes no bounds for the main coroutine. After the simulation ASan still
// takes the stack of the last SC_THREAD for the current one; the next exception thrown on the main
// stack then gets "WARNING: ASan is ignoring requested __asan_handle_no_return ... False positive
// error reports may follow", the unwound frames stay poisoned, and a later report about them is
// false. A small SystemC program without gcasim code shows the same warning.
#pragma once

namespace gcasim {

/// Call on the main thread after sc_start() returns: tells ASan that the current stack is the main
/// thread's stack again. Does nothing in builds without AddressSanitizer.
void restore_main_stack_for_asan();

}  // namespace gcasim
