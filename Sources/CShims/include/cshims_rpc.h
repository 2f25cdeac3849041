// A minimal ONC RPC v2 (RFC 5531) client and server for one null-style
// procedure: program 404040, version 1, procedure 1, one XDR char each way
// (1 in, 123 out), AUTH_NONE, record marking on TCP. It replaces LMBench's
// lat_rpc without libtirpc and without a portmapper: the client is given the
// server's port. Both sides make the calls an ONC RPC library makes per call:
// the client sends, polls, receives; the server polls, receives, sends.
#ifndef CSHIMS_RPC_H
#define CSHIMS_RPC_H
#include <stdint.h>

enum {
    CSHIMS_RPC_PROGRAM = 404040,
    CSHIMS_RPC_VERSION = 1,
    CSHIMS_RPC_PROCEDURE = 1,
};

// Server state: a bound UDP socket or a listening TCP socket.
struct cshims_rpc_server_state {
    int fd;
};
// Answers calls on a UDP socket until an error.
void cshims_serve_rpc_udp(void *_Nullable state);
// Accepts TCP connections one at a time and answers record-marked calls on each.
void cshims_serve_rpc_tcp(void *_Nullable state);

// Client state: a socket connected to the server.
struct cshims_rpc_client_state {
    int fd;
    int tcp;             // 1: TCP with record marking; 0: UDP
    uint32_t xid;        // last transaction id used
    int timeout_ms;      // UDP: resend a call unanswered this long
    uint64_t retries;    // UDP calls resent
};
// One call of procedure 1 with argument 1 per iteration; fails (EPROTO) unless
// the reply is an accepted success carrying 123.
int cshims_loop_rpc_call(void *_Nullable state, uint64_t iterations);

// Encodes the call (without a record mark) into buf (at least 64 bytes); returns its length.
int cshims_rpc_encode_call(uint32_t xid, uint32_t program, uint32_t version, uint32_t procedure,
                           int32_t argument, unsigned char *_Nonnull buf);
// The reply to a call in `call`, written to `reply` (at least 64 bytes); returns
// its length, or -1 if the call is not a well-formed ONC RPC v2 call.
int cshims_rpc_answer(const unsigned char *_Nonnull call, int length, unsigned char *_Nonnull reply);
// Checks a reply: 0 if it answers `xid` with an accepted success carrying 123;
// 1 if it answers another xid; -1 otherwise.
int cshims_rpc_check_reply(const unsigned char *_Nonnull reply, int length, uint32_t xid);

#endif
