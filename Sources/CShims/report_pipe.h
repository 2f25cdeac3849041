// fork() with a pipe over which the child reports one value to its parent
// (an exec's errno, a hypercall's result). Private to the C shims.
#ifndef CSHIMS_REPORT_PIPE_H
#define CSHIMS_REPORT_PIPE_H
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

// Returns fork()'s pid with report[1] open in the child and report[0] in the
// parent; -1 with errno, and no descriptor left open, if pipe or fork fails.
static inline pid_t fork_with_report(int report[2], int pipe_flags) {
    if (pipe2(report, pipe_flags) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    close(report[pid == 0 ? 0 : 1]);
    return pid;
}

// The parent's side: reads the report (0 bytes if the child wrote none before
// exiting or exec'ing), restarting after a signal, and closes the pipe.
static inline ssize_t read_report(int fd, void *value, size_t size) {
    ssize_t got;
    do {
        got = read(fd, value, size);
    } while (got < 0 && errno == EINTR);
    close(fd);
    return got;
}

#endif
