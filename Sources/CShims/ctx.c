#include "cshims_ctx.h"
#include "cshims_memory.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *working_set(size_t bytes) {
    if (bytes == 0) return NULL;
    void *data = malloc(bytes);
    if (data) memset(data, 0, bytes);
    return data;
}

static int make_pipes(struct cshims_ring *ring, int procs, size_t bytes) {
    memset(ring, 0, sizeof *ring);
    if (procs < 1 || procs > CSHIMS_RING_MAX) return EINVAL;
    for (int i = 0; i < CSHIMS_RING_MAX; i++) ring->pipes[i][0] = ring->pipes[i][1] = -1;
    ring->bytes = bytes;
    ring->data = working_set(bytes);
    if (bytes && !ring->data) return ENOMEM;
    for (int i = 0; i < procs; i++) {
        if (pipe(ring->pipes[i]) != 0) {
            int saved = errno;
            ring->procs = i;
            cshims_ring_destroy(ring);
            return saved;
        }
        ring->procs = i + 1;
    }
    return 0;
}

// A ring member: keeps only its two pipe ends, then passes the token on forever.
static void ring_child(struct cshims_ring *ring, int i) {
    for (int j = 0; j < ring->procs; j++) {
        if (j != i - 1) close(ring->pipes[j][0]);
        if (j != i) close(ring->pipes[j][1]);
    }
    int in = ring->pipes[i - 1][0], out = ring->pipes[i][1];
    void *data = working_set(ring->bytes);
    uint64_t sink = 0;
    int token;
    for (;;) {
        if (read(in, &token, sizeof token) != sizeof token) break;
        sink += cshims_sum_words(data, ring->bytes);
        if (write(out, &token, sizeof token) != sizeof token) break;
    }
    _exit(sink == 42 ? 1 : 0);
}

int cshims_ring_create(struct cshims_ring *ring, int procs, size_t bytes) {
    int rc = make_pipes(ring, procs, bytes);
    if (rc) return rc;
    for (int i = 1; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            int saved = errno;
            cshims_ring_destroy(ring);
            return saved;
        }
        if (pid == 0) ring_child(ring, i);
        ring->pids[i] = pid;
    }
    // This process keeps the write end of pipe 0 and the read end of the last pipe.
    for (int j = 0; j < procs; j++) {
        if (j != procs - 1) { close(ring->pipes[j][0]); ring->pipes[j][0] = -1; }
        if (j != 0) { close(ring->pipes[j][1]); ring->pipes[j][1] = -1; }
    }
    rc = cshims_loop_ring(ring, 1);      // the token once round: everyone is ready
    if (rc) cshims_ring_destroy(ring);   // a ring that fails leaves no process behind
    return rc;
}

void cshims_ring_destroy(struct cshims_ring *ring) {
    for (int j = 0; j < CSHIMS_RING_MAX; j++) {
        if (ring->pipes[j][0] >= 0) close(ring->pipes[j][0]);
        if (ring->pipes[j][1] >= 0) close(ring->pipes[j][1]);
        ring->pipes[j][0] = ring->pipes[j][1] = -1;
    }
    for (int i = 1; i < ring->procs; i++) {
        if (ring->pids[i] > 0) {
            kill(ring->pids[i], SIGKILL);
            while (waitpid(ring->pids[i], NULL, 0) < 0 && errno == EINTR) {}
            ring->pids[i] = 0;
        }
    }
    free(ring->data);
    ring->data = NULL;
    ring->procs = 0;
}

int cshims_loop_ring(void *state, uint64_t iterations) {
    struct cshims_ring *ring = state;
    int out = ring->pipes[0][1], in = ring->pipes[ring->procs - 1][0];
    int token = 1;
    for (uint64_t i = 0; i < iterations; i++) {
        if (write(out, &token, sizeof token) != sizeof token) return errno ? errno : EPIPE;
        if (read(in, &token, sizeof token) != sizeof token) return errno ? errno : EPIPE;
        ring->sink += cshims_sum_words(ring->data, ring->bytes);
    }
    return 0;
}

int cshims_ring_create_overhead(struct cshims_ring *ring, int procs, size_t bytes) {
    return make_pipes(ring, procs, bytes);
}

int cshims_loop_ring_overhead(void *state, uint64_t iterations) {
    struct cshims_ring *ring = state;
    int token = 1, i = 0;
    for (uint64_t k = 0; k < iterations; k++) {
        if (write(ring->pipes[i][1], &token, sizeof token) != sizeof token) return errno ? errno : EPIPE;
        if (read(ring->pipes[i][0], &token, sizeof token) != sizeof token) return errno ? errno : EPIPE;
        if (++i == ring->procs) i = 0;
        ring->sink += cshims_sum_words(ring->data, ring->bytes);
    }
    return 0;
}
