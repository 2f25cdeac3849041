// Local communication latencies (lat_pipe, lat_unix, lat_udp, lat_tcp,
// lat_connect): the client loops, and the servers that run in forked processes.
#ifndef CSHIMS_IPC_H
#define CSHIMS_IPC_H
#include <stdint.h>
#include <sys/types.h>

// A server body: runs until its peer goes away, in a forked process.
typedef void (*cshims_server_fn)(void *_Nullable state);

// Forks a process that runs `server(state)` and then _exit()s; C because the
// child side of fork must not run the Swift runtime. Returns the pid, or -1.
pid_t cshims_start_server(cshims_server_fn _Nonnull server, void *_Nullable state);

// Accepts connections on `listener` one at a time, hands each to
// `serve(fd, context)` and closes it; returns when accept fails.
void cshims_accept_each(int listener, void (*_Nonnull serve)(int fd, void *_Nullable context),
                        void *_Nullable context);

// Descriptors of an echo server: what it reads from and writes to.
struct cshims_echo_state {
    int read_fd;
    int write_fd;
};
// Echoes whatever arrives on read_fd to write_fd until end of file.
void cshims_serve_echo(void *_Nullable state);
// Accepts connections on a listening socket (read_fd) one at a time and echoes
// each until it closes.
void cshims_serve_tcp_echo(void *_Nullable state);
// Echoes each datagram back to its sender (read_fd: a bound UDP socket).
void cshims_serve_udp_echo(void *_Nullable state);
// Accepts connections (read_fd: listening socket); reads until the client
// closes, then closes: the server side of lat_connect.
void cshims_serve_accept_close(void *_Nullable state);

// A one-byte round trip: write 1 byte to write_fd, read 1 byte from read_fd
// (pipes, an AF_UNIX stream socketpair, a TCP connection).
struct cshims_round_trip_state {
    int write_fd;
    int read_fd;
};
int cshims_loop_round_trip(void *_Nullable state, uint64_t iterations);

// A UDP round trip on a connected socket: send a 4-byte sequence number, receive
// its echo (a blocking recv, as LMBench's). A datagram not answered within the
// socket's SO_RCVTIMEO is sent again (counted in retries); an echo of an older
// number is ignored.
struct cshims_udp_state {
    int fd;
    uint32_t sequence;
    uint64_t retries;
};
int cshims_loop_udp_round_trip(void *_Nullable state, uint64_t iterations);

// socket(), SO_REUSEADDR, connect() to 127.0.0.1:port, close().
struct cshims_connect_state {
    uint16_t port;
};
int cshims_loop_tcp_connect(void *_Nullable state, uint64_t iterations);

#endif
