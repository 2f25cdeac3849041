#include "cshims_timing.h"
#include <time.h>

int64_t cshims_clock_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int cshims_timing_run(cshims_loop_fn loop, void *state, uint64_t iterations,
                      int64_t *elapsed_ns) {
    int64_t start = cshims_clock_now_ns();
    int status = loop(state, iterations);
    *elapsed_ns = cshims_clock_now_ns() - start;
    return status;
}

int cshims_loop_empty(void *state, uint64_t iterations) {
    (void)state;
    for (uint64_t i = 0; i < iterations; i++) {
        __asm__ __volatile__("" ::: "memory");
    }
    return 0;
}
