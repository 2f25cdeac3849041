// Bandwidth loops: memory (bw_mem), file and mapping rereads (bw_file_rd,
// bw_mmap_rd), and pipe, AF_UNIX and TCP transfers (bw_pipe, bw_unix, bw_tcp).
// Every byte counted is really loaded or stored: sums are kept in `sink`, and
// the target is built without vectorization or builtin substitution, so the
// loops do what LMBench's (built with -O) do: one 4-byte access per int.
#ifndef CSHIMS_BANDWIDTH_H
#define CSHIMS_BANDWIDTH_H
#include <stddef.h>
#include <stdint.h>

// Memory: `bytes` (a multiple of 512) of `source`, copied to `target` where the
// loop copies. Each loop walks the buffer in 512-byte blocks of 128 ints.
struct cshims_memory_state {
    int *_Nonnull source;
    int *_Nullable target;
    size_t bytes;
    int64_t sink;
};
int cshims_loop_memory_read(void *_Nullable state, uint64_t iterations);          // frd: sum every int
int cshims_loop_memory_read_partial(void *_Nullable state, uint64_t iterations);  // rd: sum every 4th int
int cshims_loop_memory_write(void *_Nullable state, uint64_t iterations);         // fwr: store 1 to every int, last first
int cshims_loop_memory_write_partial(void *_Nullable state, uint64_t iterations); // wr: every 4th int
int cshims_loop_memory_read_write_partial(void *_Nullable state, uint64_t iterations); // rdwr: every 4th
int cshims_loop_memory_copy(void *_Nullable state, uint64_t iterations);          // fcp: copy every int
int cshims_loop_memory_copy_partial(void *_Nullable state, uint64_t iterations);  // cp: every 4th int
int cshims_loop_memory_zero(void *_Nullable state, uint64_t iterations);          // bzero: memset()
int cshims_loop_memory_libc_copy(void *_Nullable state, uint64_t iterations);     // bcopy: memmove()

// File reread: read `bytes` of the file in chunks of at most 64 KiB into a
// page-aligned buffer, summing each chunk; either from an open descriptor after
// lseek(0) (io_only), or open() ... close() per iteration (open2close).
struct cshims_reread_state {
    const char *_Nonnull path;
    int fd;
    size_t bytes;
    size_t chunk;
    void *_Nonnull buffer;
    uint64_t sink;
};
int cshims_loop_file_reread(void *_Nullable state, uint64_t iterations);
int cshims_loop_file_reread_open(void *_Nullable state, uint64_t iterations);

// Mapping reread: sum `bytes` of a read-only shared mapping made once
// (mmap_only), or open(), mmap(), sum, close(), munmap() per iteration (open2close).
struct cshims_mapped_reread_state {
    const char *_Nonnull path;
    const void *_Nullable map;
    size_t bytes;
    uint64_t sink;
};
int cshims_loop_mapped_reread(void *_Nullable state, uint64_t iterations);
int cshims_loop_mapped_reread_open(void *_Nullable state, uint64_t iterations);

// Stream transfers. The reader (timed) reads `bytes` per iteration with read()s
// of at most `chunk` bytes; for AF_UNIX it first asks the writer for them on a
// control pipe (control_fd >= 0), as bw_unix does.
struct cshims_stream_reader_state {
    int fd;
    int control_fd;
    uint64_t bytes;
    size_t chunk;
    void *_Nonnull buffer;
};
int cshims_loop_stream_read(void *_Nullable state, uint64_t iterations);

// The writers, run as servers in forked processes. A writer writes `chunk`-byte
// messages from a touched buffer: forever (pipe, TCP: to each accepted
// connection of a listening socket when accept is set), or, with control_fd >= 0,
// as many as each request read from control_fd asks for (AF_UNIX).
struct cshims_stream_writer_state {
    int fd;
    int control_fd;
    int accept;
    size_t chunk;
};
void cshims_serve_stream_writer(void *_Nullable state);

#endif
