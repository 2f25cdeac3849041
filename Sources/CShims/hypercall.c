#include "cshims_hypercall.h"
#include "report_pipe.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int cshims_kssb_hypercall(unsigned long command, long *rax_after, int *signal_number) {
#if defined(__x86_64__)
    int report[2];
    pid_t pid = fork_with_report(report, 0);
    if (pid < 0) return -1;
    if (pid == 0) {
        // Child: async-signal-safe calls only; a fault must end it by its signal.
        signal(SIGILL, SIG_DFL);
        signal(SIGSEGV, SIG_DFL);
        register unsigned long rax __asm__("rax") = CSHIMS_KSSB_HYPERCALL;
        register unsigned long rbx __asm__("rbx") = command;
        register unsigned long rcx __asm__("rcx") = 0;
        register unsigned long rdx __asm__("rdx") = 0;
        register unsigned long rsi __asm__("rsi") = 0;
        __asm__ volatile("vmcall" : "+r"(rax), "+r"(rbx), "+r"(rcx), "+r"(rdx), "+r"(rsi) : : "memory");
        long value = (long)rax;
        _exit(write(report[1], &value, sizeof value) == (ssize_t)sizeof value ? 0 : 1);
    }
    long value = 0;
    ssize_t got = read_report(report[0], &value, sizeof value);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    *signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (*signal_number == 0 && got != (ssize_t)sizeof value) {
        errno = EIO;
        return -1;
    }
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
