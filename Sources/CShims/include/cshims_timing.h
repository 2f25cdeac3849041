// The clock and the one timed region every benchmark goes through.
#ifndef CSHIMS_TIMING_H
#define CSHIMS_TIMING_H
#include <stdint.h>

// A timed loop performs its operation `iterations` times. It returns 0, or an
// errno value when an operation failed (the interval is then discarded).
typedef int (*cshims_loop_fn)(void *_Nullable state, uint64_t iterations);

// CLOCK_MONOTONIC in nanoseconds. C so that the clock read costs what a C
// program's read costs (no Swift call overhead around the vDSO).
int64_t cshims_clock_now_ns(void);

// Reads the clock, runs `loop`, reads the clock again: the only timed region.
// C so that nothing but the loop lies between the two clock reads.
int cshims_timing_run(cshims_loop_fn _Nonnull loop, void *_Nullable state,
                      uint64_t iterations, int64_t *_Nonnull elapsed_ns);

// An empty loop of the same form as every timed loop: measures loop overhead.
int cshims_loop_empty(void *_Nullable state, uint64_t iterations);

#endif
