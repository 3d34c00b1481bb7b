#include "util/sanitizer_stack.h"

#if defined(__SANITIZE_ADDRESS__)
#define GCASIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GCASIM_ASAN 1
#endif
#endif

#ifdef GCASIM_ASAN
#include <cstddef>
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace gcasim {

void restore_main_stack_for_asan()
{
#ifdef GCASIM_ASAN
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void* bottom = nullptr;
    std::size_t size = 0;
    const bool known = pthread_attr_getstack(&attr, &bottom, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!known)
        return;
    // A "switch" from the current stack to the same stack, now with its true bounds.
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

}  // namespace gcasim
