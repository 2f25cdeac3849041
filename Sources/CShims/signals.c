#include "cshims_signals.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void empty_handler(int sig) { (void)sig; }

int cshims_loop_sigaction_install(void *state, uint64_t iterations) {
    (void)state;
    struct sigaction sa, old;
    for (uint64_t i = 0; i < iterations; i++) {
        sa.sa_handler = empty_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        if (sigaction(SIGUSR1, &sa, &old) != 0) return errno;
    }
    return 0;
}

int cshims_loop_kill_zero(void *state, uint64_t iterations) {
    (void)state;
    pid_t me = getpid();
    for (uint64_t i = 0; i < iterations; i++) {
        if (kill(me, 0) != 0) return errno;
    }
    return 0;
}

int cshims_signal_install_empty_usr1(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = empty_handler;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGUSR1, &sa, NULL) == 0 ? 0 : errno;
}

int cshims_loop_kill_catch(void *state, uint64_t iterations) {
    (void)state;
    pid_t me = getpid();
    for (uint64_t i = 0; i < iterations; i++) {
        if (kill(me, SIGUSR1) != 0) return errno;
    }
    return 0;
}

// --- protection faults ---------------------------------------------------

// Written by the timed loop before the store, read by the handler in the same
// thread; 64-bit aligned accesses are single instructions on every target we build.
static volatile uint64_t prot_target;
static volatile uint64_t prot_caught;
static char *volatile prot_page;

static void prot_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    char *addr = (char *)info->si_addr;
    if (prot_page == NULL || addr < prot_page || addr >= prot_page + 4096) {
        // Not our fault: a real crash. Let it happen with the default action.
        signal(sig, SIG_DFL);
        return;
    }
    if (++prot_caught >= prot_target) {
        // Let the store complete: a private writable page over the same address.
        mmap(prot_page, 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    }
}

int cshims_protfault_begin(struct cshims_protfault_state *state, int fd) {
    state->fd = fd;
    state->page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (state->page == MAP_FAILED) { state->page = NULL; return errno; }
    prot_page = state->page;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = prot_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0) return errno;
    return 0;
}

int cshims_protfault_rearm(struct cshims_protfault_state *state) {
    void *p = mmap(state->page, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, state->fd, 0);
    return p == MAP_FAILED ? errno : 0;
}

int cshims_loop_protfault(void *state, uint64_t iterations) {
    struct cshims_protfault_state *s = state;
    if (iterations == 0) return 0;
    prot_caught = 0;
    prot_target = iterations;
    *(volatile char *)s->page = 1;  // faults `iterations` times, then succeeds
    return prot_caught == iterations ? 0 : EFAULT;
}

void cshims_protfault_end(struct cshims_protfault_state *state) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    prot_page = NULL;
    if (state->page) munmap(state->page, 4096);
    state->page = NULL;
}

// --- run control ---------------------------------------------------------

static volatile sig_atomic_t interrupt_signal;
static volatile sig_atomic_t interrupt_count;
static volatile sig_atomic_t wake_descriptor = -1;

static void wake(void) {
    int saved = errno;
    char byte = 1;
    if (wake_descriptor >= 0) (void)!write(wake_descriptor, &byte, 1);
    errno = saved;
}

static void interrupt_handler(int sig) {
    interrupt_signal = sig;
    interrupt_count++;  // the handlers mask each other: never two at once
    wake();
}

static void child_handler(int sig) {
    (void)sig;
    wake();
}

// Every catchable signal whose default action ends the process (SIGPIPE aside:
// ignored in the runner, a vanished reader is an EPIPE error; SIGXFSZ aside: a
// full file is an EFBIG error; the crashes aside: SIGSEGV and its kind are bugs).
static const int terminating[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
    SIGPROF, SIGXCPU, SIGPWR, SIGSTKFLT,
};
#define TERMINATING_COUNT (sizeof terminating / sizeof terminating[0])

static void ignore_handler(int sig) { (void)sig; }

int cshims_interrupt_install(int wake_fd) {
    wake_descriptor = wake_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < TERMINATING_COUNT; i++) sigaddset(&sa.sa_mask, terminating[i]);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = interrupt_handler;
    for (unsigned i = 0; i < TERMINATING_COUNT; i++) {
        if (sigaction(terminating[i], &sa, NULL)) return errno;
    }
    // A handler, not SIG_IGN: exec'd programs get the default action back.
    sa.sa_handler = ignore_handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGXFSZ, &sa, NULL)) return errno;
    sa.sa_handler = child_handler;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL)) return errno;
    return 0;
}

int cshims_interrupt_signal(void) { return interrupt_signal; }

int cshims_interrupt_count(void) { return interrupt_count; }

void cshims_signals_reset(void) {
    wake_descriptor = -1;
    // A crash must end the benchmark process at once with its signal, which the
    // runner reports, not run the Swift runtime's backtracer in the child.
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
    for (unsigned i = 0; i < TERMINATING_COUNT; i++) signal(terminating[i], SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);  // a vanished peer is an EPIPE error, not a silent death
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
