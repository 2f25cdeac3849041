// Timed loops for the single-system-call benchmarks (lat_syscall, lat_select).
// Each is C so that one iteration is exactly the system call and a counter.
#ifndef CSHIMS_SYSCALLS_H
#define CSHIMS_SYSCALLS_H
#include <stdint.h>
#include <sys/select.h>

// getppid(): never cached by glibc, so every call enters the kernel. State unused.
int cshims_loop_getppid(void *_Nullable state, uint64_t iterations);

// State for the loops that work on one open descriptor.
struct cshims_fd_state {
    int fd;
};
// read(fd, &c, 1) on /dev/zero; fails unless each read returns one byte.
int cshims_loop_read_byte(void *_Nullable state, uint64_t iterations);
// write(fd, &c, 1) on /dev/null.
int cshims_loop_write_byte(void *_Nullable state, uint64_t iterations);
// fstat(fd).
int cshims_loop_fstat(void *_Nullable state, uint64_t iterations);

// State for the loops that work on one path.
struct cshims_path_state {
    const char *_Nonnull path;
};
// stat(path).
int cshims_loop_stat(void *_Nullable state, uint64_t iterations);
// open(path, O_RDONLY) followed by close().
int cshims_loop_open_close(void *_Nullable state, uint64_t iterations);

// State for select(): the saved write set and nfds (highest descriptor + 1).
struct cshims_select_state {
    fd_set saved;
    int nfds;
};
// Clears the set (FD_ZERO is a macro Swift cannot call).
void cshims_select_clear(struct cshims_select_state *_Nonnull state);
// Adds one descriptor to the set and raises nfds to cover it.
void cshims_select_add(struct cshims_select_state *_Nonnull state, int fd);
// select(nfds, NULL, &copy_of_saved, NULL, &zero_timeout): a copy per call, as LMBench.
int cshims_loop_select(void *_Nullable state, uint64_t iterations);

#endif
