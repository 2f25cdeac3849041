// Memory loops shared by several benchmarks.
#ifndef CSHIMS_MEMORY_H
#define CSHIMS_MEMORY_H
#include <stddef.h>
#include <stdint.h>

// Sums `bytes` of `buffer` as 64-bit words, 128 words per unrolled step and
// then the rest (the working-set touch of the context-switch ring and the reread
// sums, as LMBench's bread, which skips the rest). The caller consumes the sum,
// so the loads cannot be dropped.
uint64_t cshims_sum_words(const void *_Nullable buffer, size_t bytes);

#endif
