#include "util/simulation.h"

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define GCASIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GCASIM_ASAN 1
#endif
#endif

#ifdef GCASIM_ASAN
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace gcasim {

namespace {

#ifdef GCASIM_ASAN
/// Tells ASan that the current stack is the main thread's stack, with its true bounds (the switch
/// SystemC does not announce), and clears poison below this frame: those frames are dead, and an
/// unwind that ASan ignored for want of bounds may have left their poison behind.
__attribute__((noinline)) void restore_main_stack_for_asan()
{
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void* bottom = nullptr;
    std::size_t size = 0;
    const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!known)
        return;
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);

    // Everything below this frame's locals (less a margin for this call's own frame) is free stack.
    char here;
    const auto low = reinterpret_cast<std::uintptr_t>(bottom);
    const std::uintptr_t dead_top = reinterpret_cast<std::uintptr_t>(&here) - 512;
    if (dead_top > low)
        __asan_unpoison_memory_region(bottom, dead_top - low);
}
#else
void restore_main_stack_for_asan() {}
#endif

template <typename Start>
void run_and_restore(Start start)
{
    try {
        start();
    } catch (...) {
        restore_main_stack_for_asan();
        throw;
    }
    restore_main_stack_for_asan();
}

}  // namespace

void run_simulation()
{
    run_and_restore([] { sc_core::sc_start(); });
}

void run_simulation(const sc_core::sc_time& duration)
{
    run_and_restore([&] { sc_core::sc_start(duration); });
}

}  // namespace gcasim
