// The processor clock loop.
#ifndef CSHIMS_CPU_H
#define CSHIMS_CPU_H
#include <stdint.h>

// Operations per iteration of cshims_loop_add_chain.
enum { CSHIMS_ADD_CHAIN_LENGTH = 1000 };

// A chain of CSHIMS_ADD_CHAIN_LENGTH dependent register additions per iteration:
// each waits for the previous one and takes one cycle, so the time per addition
// is the clock period. Inline assembly, so no compiler can fold the chain.
int cshims_loop_add_chain(void *_Nullable state, uint64_t iterations);

#endif
