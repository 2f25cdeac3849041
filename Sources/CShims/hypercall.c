#include "cshims_hypercall.h"
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>

// Where a fault during the vmcall returns to, and which signal it was.
static sigjmp_buf *volatile guard_return;
static volatile sig_atomic_t guard_signal;

static void guard_handler(int number) {
    guard_signal = number;
    siglongjmp(*guard_return, 1);
}

int cshims_kssb_hypercall(unsigned long command, long *rax_after, int *signal_number) {
#if defined(__x86_64__)
    struct sigaction guard = {0}, old_ill, old_segv;
    guard.sa_handler = guard_handler;
    sigemptyset(&guard.sa_mask);
    if (sigaction(SIGILL, &guard, &old_ill) != 0) return -1;
    if (sigaction(SIGSEGV, &guard, &old_segv) != 0) {
        int saved = errno;
        sigaction(SIGILL, &old_ill, NULL);
        errno = saved;
        return -1;
    }
    sigjmp_buf here;
    guard_return = &here;
    guard_signal = 0;
    volatile long value = 0;
    if (sigsetjmp(here, 1) == 0) {  // 1: the signal mask the handler ran with is undone
        register unsigned long rax __asm__("rax") = CSHIMS_KSSB_HYPERCALL;
        register unsigned long rbx __asm__("rbx") = command;
        register unsigned long rcx __asm__("rcx") = 0;
        register unsigned long rdx __asm__("rdx") = 0;
        register unsigned long rsi __asm__("rsi") = 0;
        __asm__ volatile("vmcall" : "+r"(rax), "+r"(rbx), "+r"(rcx), "+r"(rdx), "+r"(rsi) : : "memory");
        value = (long)rax;
    }
    // The handlers the caller had (a benchmark's own SIGSEGV catcher) come back.
    sigaction(SIGILL, &old_ill, NULL);
    sigaction(SIGSEGV, &old_segv, NULL);
    guard_return = NULL;
    *signal_number = guard_signal;
    *rax_after = value;
    return 0;
#else
    (void)command;
    (void)rax_after;
    (void)signal_number;
    errno = ENOSYS;
    return -1;
#endif
}
