#include "cshims_syscalls.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int cshims_loop_getppid(void *state, uint64_t iterations) {
    (void)state;
    for (uint64_t i = 0; i < iterations; i++) {
        (void)getppid();
    }
    return 0;
}

int cshims_loop_read_byte(void *state, uint64_t iterations) {
    int fd = ((struct cshims_fd_state *)state)->fd;
    char c;
    for (uint64_t i = 0; i < iterations; i++) {
        if (read(fd, &c, 1) != 1) return errno ? errno : EIO;
    }
    return 0;
}

int cshims_loop_write_byte(void *state, uint64_t iterations) {
    int fd = ((struct cshims_fd_state *)state)->fd;
    char c = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        if (write(fd, &c, 1) != 1) return errno ? errno : EIO;
    }
    return 0;
}

int cshims_loop_fstat(void *state, uint64_t iterations) {
    int fd = ((struct cshims_fd_state *)state)->fd;
    struct stat st;
    for (uint64_t i = 0; i < iterations; i++) {
        if (fstat(fd, &st) != 0) return errno;
    }
    return 0;
}

int cshims_loop_stat(void *state, uint64_t iterations) {
    const char *path = ((struct cshims_path_state *)state)->path;
    struct stat st;
    for (uint64_t i = 0; i < iterations; i++) {
        if (stat(path, &st) != 0) return errno;
    }
    return 0;
}

int cshims_loop_open_close(void *state, uint64_t iterations) {
    const char *path = ((struct cshims_path_state *)state)->path;
    for (uint64_t i = 0; i < iterations; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) return errno;
        close(fd);
    }
    return 0;
}

void cshims_select_clear(struct cshims_select_state *state) {
    FD_ZERO(&state->saved);
    state->nfds = 0;
}

void cshims_select_add(struct cshims_select_state *state, int fd) {
    FD_SET(fd, &state->saved);
    if (fd + 1 > state->nfds) state->nfds = fd + 1;
}

int cshims_loop_select(void *state, uint64_t iterations) {
    struct cshims_select_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        fd_set set = s->saved;
        struct timeval zero = {0, 0};
        if (select(s->nfds, NULL, &set, NULL, &zero) < 0) return errno;
    }
    return 0;
}
