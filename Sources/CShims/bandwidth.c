#include "cshims_bandwidth.h"
#include "cshims_memory.h"
#include "cshims_ipc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

// The 32 accesses of a partial loop, and the 128 of a full one, per 512-byte block.
// Accesses go through volatile pointers so that no compiler merges them into
// wider loads and stores: one 4-byte access per int, as LMBench's.
#define EVERY_4TH(DO) DO(0) DO(4) DO(8) DO(12) DO(16) DO(20) DO(24) DO(28) DO(32) DO(36) DO(40) \
    DO(44) DO(48) DO(52) DO(56) DO(60) DO(64) DO(68) DO(72) DO(76) DO(80) DO(84) DO(88) DO(92) \
    DO(96) DO(100) DO(104) DO(108) DO(112) DO(116) DO(120) DO(124)
#define EIGHT(DO, b) DO(b) DO((b) + 1) DO((b) + 2) DO((b) + 3) DO((b) + 4) DO((b) + 5) DO((b) + 6) DO((b) + 7)
#define EVERY(DO) EIGHT(DO, 0) EIGHT(DO, 8) EIGHT(DO, 16) EIGHT(DO, 24) EIGHT(DO, 32) EIGHT(DO, 40) \
    EIGHT(DO, 48) EIGHT(DO, 56) EIGHT(DO, 64) EIGHT(DO, 72) EIGHT(DO, 80) EIGHT(DO, 88) EIGHT(DO, 96) \
    EIGHT(DO, 104) EIGHT(DO, 112) EIGHT(DO, 120)
// LMBench's frd and rd add up each block as one expression, then add it to the
// sum: each block's chain of additions is its own, and blocks overlap in the
// pipeline. The empty asm keeps the compiler from folding the chains into one.
#define BLOCK_SUM(block) __asm__("" : "+r"(block))
// LMBench's fwr is one chained assignment, p[0] = p[1] = ... = p[127] = 1, which
// stores from the last int of a block down to the first.
#define EIGHT_DOWN(DO, b) DO((b) + 7) DO((b) + 6) DO((b) + 5) DO((b) + 4) DO((b) + 3) DO((b) + 2) DO((b) + 1) DO(b)
#define EVERY_DOWN(DO) EIGHT_DOWN(DO, 120) EIGHT_DOWN(DO, 112) EIGHT_DOWN(DO, 104) EIGHT_DOWN(DO, 96) \
    EIGHT_DOWN(DO, 88) EIGHT_DOWN(DO, 80) EIGHT_DOWN(DO, 72) EIGHT_DOWN(DO, 64) EIGHT_DOWN(DO, 56) \
    EIGHT_DOWN(DO, 48) EIGHT_DOWN(DO, 40) EIGHT_DOWN(DO, 32) EIGHT_DOWN(DO, 24) EIGHT_DOWN(DO, 16) \
    EIGHT_DOWN(DO, 8) EIGHT_DOWN(DO, 0)

int cshims_loop_memory_read(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    const int *last = s->source + s->bytes / sizeof(int) - 128;
    int sum = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        for (const volatile int *p = s->source; p <= last; p += 128) {
#define DO(k) + p[k]
            int block = 0 EVERY(DO);
#undef DO
            BLOCK_SUM(block);
            sum += block;
        }
    }
    s->sink += sum;
    return 0;
}

int cshims_loop_memory_read_partial(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    const int *last = s->source + s->bytes / sizeof(int) - 128;
    int sum = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        for (const volatile int *p = s->source; p <= last; p += 128) {
#define DO(k) + p[k]
            int block = 0 EVERY_4TH(DO);
#undef DO
            BLOCK_SUM(block);
            sum += block;
        }
    }
    s->sink += sum;
    return 0;
}

int cshims_loop_memory_write(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    int *last = s->source + s->bytes / sizeof(int) - 128;
    for (uint64_t i = 0; i < iterations; i++) {
        for (volatile int *p = s->source; p <= last; p += 128) {
#define DO(k) p[k] = 1;
            EVERY_DOWN(DO)
#undef DO
        }
    }
    return 0;
}

int cshims_loop_memory_write_partial(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    int *last = s->source + s->bytes / sizeof(int) - 128;
    for (uint64_t i = 0; i < iterations; i++) {
        for (volatile int *p = s->source; p <= last; p += 128) {
#define DO(k) p[k] = 1;
            EVERY_4TH(DO)
#undef DO
        }
    }
    return 0;
}

int cshims_loop_memory_read_write_partial(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    int *last = s->source + s->bytes / sizeof(int) - 128;
    int sum = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        for (volatile int *p = s->source; p <= last; p += 128) {
#define DO(k) sum += p[k]; p[k] = 1;
            EVERY_4TH(DO)
#undef DO
        }
    }
    s->sink += sum;
    return 0;
}

int cshims_loop_memory_copy(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    const int *last = s->source + s->bytes / sizeof(int) - 128;
    for (uint64_t i = 0; i < iterations; i++) {
        volatile int *d = s->target;
        for (const volatile int *p = s->source; p <= last; p += 128, d += 128) {
#define DO(k) d[k] = p[k];
            EVERY(DO)
#undef DO
        }
    }
    return 0;
}

int cshims_loop_memory_copy_partial(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    const int *last = s->source + s->bytes / sizeof(int) - 128;
    for (uint64_t i = 0; i < iterations; i++) {
        volatile int *d = s->target;
        for (const volatile int *p = s->source; p <= last; p += 128, d += 128) {
#define DO(k) d[k] = p[k];
            EVERY_4TH(DO)
#undef DO
        }
    }
    return 0;
}

int cshims_loop_memory_zero(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) memset(s->source, 0, s->bytes);
    return 0;
}

int cshims_loop_memory_libc_copy(void *state, uint64_t iterations) {
    struct cshims_memory_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) memmove(s->target, s->source, s->bytes);
    return 0;
}

// --- file and mapping rereads ------------------------------------------------

static int read_and_sum(struct cshims_reread_state *s, int fd) {
    for (size_t left = s->bytes; left > 0;) {
        size_t want = left < s->chunk ? left : s->chunk;
        ssize_t n = read(fd, s->buffer, want);
        if (n < 0) return errno;
        if (n == 0) return EIO;  // the file is shorter than it should be
        s->sink += cshims_sum_words(s->buffer, (size_t)n);
        left -= (size_t)n;
    }
    return 0;
}

int cshims_loop_file_reread(void *state, uint64_t iterations) {
    struct cshims_reread_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        if (lseek(s->fd, 0, SEEK_SET) != 0) return errno;
        int rc = read_and_sum(s, s->fd);
        if (rc) return rc;
    }
    return 0;
}

int cshims_loop_file_reread_open(void *state, uint64_t iterations) {
    struct cshims_reread_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        int fd = open(s->path, O_RDONLY);
        if (fd < 0) return errno;
        int rc = read_and_sum(s, fd);
        close(fd);
        if (rc) return rc;
    }
    return 0;
}

int cshims_loop_mapped_reread(void *state, uint64_t iterations) {
    struct cshims_mapped_reread_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) s->sink += cshims_sum_words(s->map, s->bytes);
    return 0;
}

int cshims_loop_mapped_reread_open(void *state, uint64_t iterations) {
    struct cshims_mapped_reread_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        int fd = open(s->path, O_RDONLY);
        if (fd < 0) return errno;
        void *map = mmap(NULL, s->bytes, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
            int saved = errno;
            close(fd);
            return saved;
        }
        s->sink += cshims_sum_words(map, s->bytes);
        close(fd);
        munmap(map, s->bytes);
    }
    return 0;
}

// --- streams ---------------------------------------------------------------

int cshims_loop_stream_read(void *state, uint64_t iterations) {
    struct cshims_stream_reader_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        if (s->control_fd >= 0 && write(s->control_fd, &s->bytes, sizeof s->bytes) != sizeof s->bytes) return errno;
        for (uint64_t left = s->bytes; left > 0;) {
            ssize_t n = read(s->fd, s->buffer, s->chunk);
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno;
            }
            if (n == 0) return EPIPE;
            left -= (uint64_t)n < left ? (uint64_t)n : left;
        }
    }
    return 0;
}

static void write_forever(int fd, const char *buffer, size_t chunk) {
    for (;;) {
        for (size_t done = 0; done < chunk;) {
            ssize_t n = write(fd, buffer + done, chunk - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            done += (size_t)n;
        }
    }
}

struct message {
    const char *buffer;
    size_t chunk;
};

static void write_to_connection(int fd, void *context) {
    struct message *m = context;
    write_forever(fd, m->buffer, m->chunk);
}

void cshims_serve_stream_writer(void *state) {
    struct cshims_stream_writer_state *s = state;
    char *buffer = malloc(s->chunk);
    if (!buffer) return;
    memset(buffer, 1, s->chunk);  // touched, as LMBench's writers
    if (s->accept) {
        struct message m = {buffer, s->chunk};
        cshims_accept_each(s->fd, write_to_connection, &m);
        return;
    }
    if (s->control_fd < 0) {
        write_forever(s->fd, buffer, s->chunk);
        return;
    }
    for (;;) {
        uint64_t asked;
        if (read(s->control_fd, &asked, sizeof asked) != sizeof asked) return;
        for (uint64_t done = 0; done < asked;) {
            ssize_t n = write(s->fd, buffer, s->chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            done += (uint64_t)n;
        }
    }
}
