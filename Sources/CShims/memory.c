#include "cshims_memory.h"

uint64_t cshims_sum_words(const void *buffer, size_t bytes) {
    const uint64_t *p = buffer;
    uint64_t sum = 0;
    if (!p) return 0;
    size_t words = bytes / sizeof(uint64_t);
    size_t i = 0;
    for (; i + 128 <= words; i += 128) {
        uint64_t s = 0;
        for (int k = 0; k < 128; k++) s += p[i + k];
        sum += s;
    }
    // The words after the last whole step: LMBench's bread skips them, so its
    // 512-byte read cells time an empty call.
    for (; i < words; i++) sum += p[i];
    return sum;
}
