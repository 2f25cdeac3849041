#include "cshims_cpu.h"

#define REPEAT10(x) x x x x x x x x x x
#define REPEAT100(x) REPEAT10(REPEAT10(x))

int cshims_loop_add_chain(void *state, uint64_t iterations) {
    (void)state;
    uint64_t a = 1, b = 3;
    for (uint64_t i = 0; i < iterations; i++) {
#if defined(__x86_64__)
        __asm__ __volatile__(
            ".rept 1000\n\t"
            "addq %1, %0\n\t"
            ".endr"
            : "+r"(a) : "r"(b));
#elif defined(__aarch64__)
        __asm__ __volatile__(
            ".rept 1000\n\t"
            "add %0, %0, %1\n\t"
            ".endr"
            : "+r"(a) : "r"(b));
#else
        // Portable fallback: volatile keeps every addition, at some extra cost.
        volatile uint64_t v = a;
        REPEAT10(REPEAT100(v += b;))
        a = v;
#endif
    }
    __asm__ __volatile__("" :: "r"(a));
    return 0;
}
