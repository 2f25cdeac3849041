#include "cshims_rpc.h"
#include "cshims_ipc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CALL = 0, REPLY = 1, MSG_ACCEPTED = 0, MSG_DENIED = 1, SUCCESS = 0, PROG_UNAVAIL = 1,
       PROG_MISMATCH = 2, PROC_UNAVAIL = 3, GARBAGE_ARGS = 4, RPC_MISMATCH = 0, AUTH_NONE = 0,
       LAST_FRAGMENT = 0x80000000u, MAX_MESSAGE = 1024 };

static void put(unsigned char *buf, int *at, uint32_t value) {
    uint32_t big = htonl(value);
    memcpy(buf + *at, &big, 4);
    *at += 4;
}

// Reads a 32-bit word at *at if one fits in length; advances *at.
static int get(const unsigned char *buf, int length, int *at, uint32_t *value) {
    if (*at < 0 || *at + 4 > length) return -1;
    uint32_t big;
    memcpy(&big, buf + *at, 4);
    *value = ntohl(big);
    *at += 4;
    return 0;
}

// Skips an opaque_auth (flavor, length, body padded to 4 bytes).
static int skip_auth(const unsigned char *buf, int length, int *at) {
    uint32_t flavor, size;
    if (get(buf, length, at, &flavor) || get(buf, length, at, &size) || size > 400) return -1;
    *at += (int)((size + 3) & ~3u);
    return *at <= length ? 0 : -1;
}

int cshims_rpc_encode_call(uint32_t xid, uint32_t program, uint32_t version, uint32_t procedure,
                           int32_t argument, unsigned char *buf) {
    int at = 0;
    put(buf, &at, xid);
    put(buf, &at, CALL);
    put(buf, &at, 2);                   // RPC version
    put(buf, &at, program);
    put(buf, &at, version);
    put(buf, &at, procedure);
    put(buf, &at, AUTH_NONE); put(buf, &at, 0);  // credential
    put(buf, &at, AUTH_NONE); put(buf, &at, 0);  // verifier
    put(buf, &at, (uint32_t)argument);  // xdr_char travels as a 4-byte int
    return at;
}

int cshims_rpc_answer(const unsigned char *call, int length, unsigned char *reply) {
    int at = 0, out = 0;
    uint32_t xid, type, rpcvers, program, version, procedure, argument;
    if (get(call, length, &at, &xid) || get(call, length, &at, &type) || type != CALL ||
        get(call, length, &at, &rpcvers) || get(call, length, &at, &program) ||
        get(call, length, &at, &version) || get(call, length, &at, &procedure) ||
        skip_auth(call, length, &at) || skip_auth(call, length, &at)) return -1;
    put(reply, &out, xid);
    put(reply, &out, REPLY);
    if (rpcvers != 2) {
        put(reply, &out, MSG_DENIED);
        put(reply, &out, RPC_MISMATCH);
        put(reply, &out, 2); put(reply, &out, 2);
        return out;
    }
    put(reply, &out, MSG_ACCEPTED);
    put(reply, &out, AUTH_NONE); put(reply, &out, 0);  // verifier
    if (program != CSHIMS_RPC_PROGRAM) {
        put(reply, &out, PROG_UNAVAIL);
    } else if (version != CSHIMS_RPC_VERSION) {
        put(reply, &out, PROG_MISMATCH);
        put(reply, &out, CSHIMS_RPC_VERSION); put(reply, &out, CSHIMS_RPC_VERSION);
    } else if (procedure == 0) {
        put(reply, &out, SUCCESS);  // the null procedure: no results
    } else if (procedure != CSHIMS_RPC_PROCEDURE) {
        put(reply, &out, PROC_UNAVAIL);
    } else if (get(call, length, &at, &argument)) {
        put(reply, &out, GARBAGE_ARGS);
    } else {
        put(reply, &out, SUCCESS);
        put(reply, &out, 123);
    }
    return out;
}

int cshims_rpc_check_reply(const unsigned char *reply, int length, uint32_t xid) {
    int at = 0;
    uint32_t got, type, stat, flavor, size, accept, result;
    if (get(reply, length, &at, &got)) return -1;
    if (got != xid) return 1;
    if (get(reply, length, &at, &type) || type != REPLY || get(reply, length, &at, &stat) ||
        stat != MSG_ACCEPTED || get(reply, length, &at, &flavor) || get(reply, length, &at, &size)) return -1;
    at += (int)((size + 3) & ~3u);
    if (get(reply, length, &at, &accept) || accept != SUCCESS || get(reply, length, &at, &result)) return -1;
    return result == 123 ? 0 : -1;
}

static int wait_readable(int fd, int timeout_ms) {
    struct pollfd p = {fd, POLLIN, 0};
    for (;;) {
        int ready = poll(&p, 1, timeout_ms);
        if (ready >= 0) return ready;
        if (errno != EINTR) return -1;
    }
}

static int read_full(int fd, unsigned char *buf, int length) {
    int got = 0;
    while (got < length) {
        ssize_t n = read(fd, buf + got, (size_t)(length - got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (int)n;
    }
    return 0;
}

// Reads one record (all its fragments) after poll says data is there.
static int read_record(int fd, unsigned char *buf, int capacity) {
    int total = 0;
    for (;;) {
        unsigned char mark[4];
        uint32_t header;
        if (read_full(fd, mark, 4)) return -1;
        memcpy(&header, mark, 4);
        header = ntohl(header);
        int size = (int)(header & ~LAST_FRAGMENT);
        if (size > capacity - total) return -1;
        if (read_full(fd, buf + total, size)) return -1;
        total += size;
        if (header & LAST_FRAGMENT) return total;
    }
}

static int write_record(int fd, const unsigned char *message, int length) {
    unsigned char buf[MAX_MESSAGE + 4];
    uint32_t header = htonl(LAST_FRAGMENT | (uint32_t)length);
    memcpy(buf, &header, 4);
    memcpy(buf + 4, message, (size_t)length);
    int sent = 0;
    while (sent < length + 4) {
        ssize_t n = write(fd, buf + sent, (size_t)(length + 4 - sent));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        sent += (int)n;
    }
    return 0;
}

void cshims_serve_rpc_udp(void *state) {
    int fd = ((struct cshims_rpc_server_state *)state)->fd;
    unsigned char call[MAX_MESSAGE], reply[64];
    for (;;) {
        if (wait_readable(fd, -1) < 0) return;
        struct sockaddr_storage from;
        socklen_t length = sizeof from;
        ssize_t n = recvfrom(fd, call, sizeof call, 0, (struct sockaddr *)&from, &length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        int size = cshims_rpc_answer(call, (int)n, reply);
        if (size > 0) sendto(fd, reply, (size_t)size, 0, (struct sockaddr *)&from, length);
    }
}

// Answers record-marked calls on one connection until it closes.
static void answer_connection(int fd, void *context) {
    (void)context;
    unsigned char call[MAX_MESSAGE], reply[64];
    for (;;) {
        if (wait_readable(fd, -1) <= 0) return;
        int n = read_record(fd, call, sizeof call);
        if (n < 0) return;
        int size = cshims_rpc_answer(call, n, reply);
        if (size < 0 || write_record(fd, reply, size)) return;
    }
}

void cshims_serve_rpc_tcp(void *state) {
    cshims_accept_each(((struct cshims_rpc_server_state *)state)->fd, answer_connection, NULL);
}

int cshims_loop_rpc_call(void *state, uint64_t iterations) {
    struct cshims_rpc_client_state *s = state;
    unsigned char call[64], reply[MAX_MESSAGE];
    for (uint64_t i = 0; i < iterations; i++) {
        uint32_t xid = ++s->xid;
        int length = cshims_rpc_encode_call(xid, CSHIMS_RPC_PROGRAM, CSHIMS_RPC_VERSION,
                                            CSHIMS_RPC_PROCEDURE, 1, call);
        if (s->tcp) {
            if (write_record(s->fd, call, length)) return errno ? errno : EPIPE;
            int ready = wait_readable(s->fd, -1);
            if (ready <= 0) return errno ? errno : EIO;
            int n = read_record(s->fd, reply, sizeof reply);
            if (n < 0) return errno ? errno : EPIPE;
            if (cshims_rpc_check_reply(reply, n, xid) != 0) return EPROTO;
            continue;
        }
        if (send(s->fd, call, (size_t)length, 0) != length) return errno;
        for (;;) {
            int ready = wait_readable(s->fd, s->timeout_ms);
            if (ready < 0) return errno;
            if (ready == 0) {  // no answer in time: send the call again, same xid
                s->retries++;
                if (send(s->fd, call, (size_t)length, 0) != length) return errno;
                continue;
            }
            ssize_t n = recv(s->fd, reply, sizeof reply, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno;
            }
            int check = cshims_rpc_check_reply(reply, (int)n, xid);
            if (check == 0) break;
            if (check < 0) return EPROTO;
            // check == 1: the answer to an earlier, resent call; wait for ours
        }
    }
    return 0;
}
