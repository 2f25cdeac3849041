#include "cshims_ipc.h"
#include "cshims_system.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

pid_t cshims_start_server(cshims_server_fn server, void *state) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        // A server blocked in a receive would outlive a benchmark killed with SIGKILL.
        if (cshims_die_with_parent(parent) != 0) _exit(0);
        server(state);
        _exit(0);
    }
    return pid;
}

static int write_all(int fd, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static void echo(int in, int out) {
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || write_all(out, buf, (size_t)n) != 0) return;
    }
}

void cshims_accept_each(int listener, void (*serve)(int fd, void *context), void *context) {
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return;
        }
        serve(fd, context);
        close(fd);
    }
}

static void echo_connection(int fd, void *context) {
    (void)context;
    echo(fd, fd);
}

// Reads until the client closes (read returns 0).
static void wait_for_close(int fd, void *context) {
    (void)context;
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR) {}
}

void cshims_serve_echo(void *state) {
    struct cshims_echo_state *s = state;
    echo(s->read_fd, s->write_fd);
}

void cshims_serve_tcp_echo(void *state) {
    cshims_accept_each(((struct cshims_echo_state *)state)->read_fd, echo_connection, NULL);
}

void cshims_serve_udp_echo(void *state) {
    struct cshims_echo_state *s = state;
    char buf[65536];
    for (;;) {
        struct sockaddr_in from;
        socklen_t length = sizeof from;
        ssize_t n = recvfrom(s->read_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        sendto(s->read_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, length);
    }
}

void cshims_serve_accept_close(void *state) {
    cshims_accept_each(((struct cshims_echo_state *)state)->read_fd, wait_for_close, NULL);
}

int cshims_loop_round_trip(void *state, uint64_t iterations) {
    struct cshims_round_trip_state *s = state;
    char c = 1;
    for (uint64_t i = 0; i < iterations; i++) {
        if (write(s->write_fd, &c, 1) != 1) return errno ? errno : EIO;
        if (read(s->read_fd, &c, 1) != 1) return errno ? errno : EPIPE;
    }
    return 0;
}

int cshims_loop_udp_round_trip(void *state, uint64_t iterations) {
    struct cshims_udp_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        uint32_t sent = htonl(++s->sequence);
        if (send(s->fd, &sent, sizeof sent, 0) != (ssize_t)sizeof sent) return errno;
        for (;;) {
            uint32_t got;
            ssize_t n = recv(s->fd, &got, sizeof got, 0);
            if (n == (ssize_t)sizeof got && got == sent) break;
            if (n >= 0) continue;  // an echo of an earlier, resent datagram
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return errno;
            s->retries++;  // SO_RCVTIMEO expired: lost, send it again
            if (send(s->fd, &sent, sizeof sent, 0) != (ssize_t)sizeof sent) return errno;
        }
    }
    return 0;
}

int cshims_loop_tcp_connect(void *state, uint64_t iterations) {
    struct cshims_connect_state *s = state;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(s->port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    for (uint64_t i = 0; i < iterations; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return errno;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
            int saved = errno;
            close(fd);
            return saved;
        }
        close(fd);
    }
    return 0;
}
