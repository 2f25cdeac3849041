// Context switching (lat_ctx): a token passed round a ring of processes over
// pipes, each process summing its own working set when it holds the token; and
// the overhead pass, the same pipe traffic and sums in one process.
#ifndef CSHIMS_CTX_H
#define CSHIMS_CTX_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { CSHIMS_RING_MAX = 256 };

// A ring of `procs` processes: this one and procs - 1 forked children. Child i
// reads the token from pipe i - 1, sums its own working set, writes pipe i.
struct cshims_ring {
    int procs;
    int pipes[CSHIMS_RING_MAX][2];
    pid_t pids[CSHIMS_RING_MAX];
    void *_Nullable data;    // this process's working set
    size_t bytes;
    uint64_t sink;           // sums, consumed so the loads stay
};

// Creates the pipes and children and sends the token round once. C because the
// children run between fork and exit. Returns 0 or an errno value (the ring is
// then already destroyed).
int cshims_ring_create(struct cshims_ring *_Nonnull ring, int procs, size_t bytes);
// Closes the pipes (the children read end of file and exit) and reaps them.
void cshims_ring_destroy(struct cshims_ring *_Nonnull ring);
// One trip of the token round the ring: write pipe 0, read pipe procs - 1, sum.
int cshims_loop_ring(void *_Nullable state, uint64_t iterations);

// The overhead pass: `procs` pipes in this process; per iteration write the
// token into pipe i and read it back, i cycling over the pipes, then sum.
int cshims_ring_create_overhead(struct cshims_ring *_Nonnull ring, int procs, size_t bytes);
int cshims_loop_ring_overhead(void *_Nullable state, uint64_t iterations);

#endif
