// Signal handlers and the timed loops of the signal benchmarks (lat_sig).
// Handlers must be C: they only touch volatile sig_atomic_t flags, call write(2)
// or remap one page, all async-signal-safe.
#ifndef CSHIMS_SIGNALS_H
#define CSHIMS_SIGNALS_H
#include <stdint.h>

// sigaction(SIGUSR1, {empty handler, empty mask, flags 0}) per iteration.
int cshims_loop_sigaction_install(void *_Nullable state, uint64_t iterations);

// kill(getpid(), 0): the cost of sending, subtracted from the catch time.
int cshims_loop_kill_zero(void *_Nullable state, uint64_t iterations);

// Installs the empty SIGUSR1 handler used by cshims_loop_kill_catch.
int cshims_signal_install_empty_usr1(void);
// kill(getpid(), SIGUSR1) delivered to the empty handler, per iteration.
int cshims_loop_kill_catch(void *_Nullable state, uint64_t iterations);

// Protection faults: a store to a read-only MAP_SHARED page of a file. The
// SIGSEGV/SIGBUS handler counts faults and returns, so the store faults again;
// at the iteration count it maps a writable page over the address, and the store
// completes. One page and its handler per process, hence C globals.
struct cshims_protfault_state {
    void *_Nullable page;
    int fd;
};
// Maps the first page of fd read-only and installs the handlers.
int cshims_protfault_begin(struct cshims_protfault_state *_Nonnull state, int fd);
// Maps the file page read-only again at the same address (per-interval setup).
int cshims_protfault_rearm(struct cshims_protfault_state *_Nonnull state);
// Timed loop: one store that faults `iterations` times.
int cshims_loop_protfault(void *_Nullable state, uint64_t iterations);
// Restores default handlers and unmaps the page.
void cshims_protfault_end(struct cshims_protfault_state *_Nonnull state);

// Run control for the runner process: SIGINT, SIGTERM, SIGHUP and every other
// catchable terminating signal (SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU...) record the
// signal and write one byte to `wake_fd`; SIGCHLD only writes the byte.
int cshims_interrupt_install(int wake_fd);
// The interrupting signal received so far, or 0.
int cshims_interrupt_signal(void);
// How many of those signals arrived so far (a second one stops the final restore).
int cshims_interrupt_count(void);
// Restores default dispositions in a freshly forked benchmark process: crashes
// kill it with their signal; SIGPIPE is ignored (a vanished peer is an error).
void cshims_signals_reset(void);

#endif
