#include "cshims_process.h"
#include "report_pipe.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_success(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : ECHILD;
}

int cshims_loop_fork_exit(void *state, uint64_t iterations) {
    (void)state;
    for (uint64_t i = 0; i < iterations; i++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) _exit(0);
        int rc = wait_success(pid);
        if (rc) return rc;
    }
    return 0;
}

// fork(); the child closes stdout and runs /bin/sh -c `name` in `directory`
// (shell), or execs `name` relative to `directory`; the parent waits.
static int fork_exec_wait(const struct cshims_exec_state *s, int shell) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        close(1);
        if (shell) {
            char *argv[] = {"sh", "-c", (char *)s->name, NULL};
            if (fchdir(s->directory) == 0) execve("/bin/sh", argv, s->envp);
        } else {
            execveat(s->directory, s->name, s->argv, s->envp, 0);
        }
        _exit(127);
    }
    return wait_success(pid);
}

int cshims_loop_fork_exec(void *state, uint64_t iterations) {
    for (uint64_t i = 0; i < iterations; i++) {
        int rc = fork_exec_wait(state, 0);
        if (rc) return rc;
    }
    return 0;
}

int cshims_loop_fork_shell(void *state, uint64_t iterations) {
    for (uint64_t i = 0; i < iterations; i++) {
        int rc = fork_exec_wait(state, 1);
        if (rc) return rc;
    }
    return 0;
}

pid_t cshims_spawn(const char *path, char *const *argv, char *const *envp,
                   const char *cwd, int out_fd, int err_fd, int new_group) {
    int report[2];
    pid_t pid = fork_with_report(report, O_CLOEXEC);  // close-on-exec: an exec that works reports nothing
    if (pid < 0) return -1;
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        if (new_group) setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) { dup2(devnull, 0); if (devnull != 0) close(devnull); }
        if (out_fd >= 0 && out_fd != 1) dup2(out_fd, 1);
        if (err_fd >= 0 && err_fd != 2) dup2(err_fd, 2);
        if (cwd && chdir(cwd) != 0) goto failed;
        execve(path, argv, envp);
    failed:;
        int err = errno;
        (void)!write(report[1], &err, sizeof err);
        _exit(127);
    }
    int child_errno = 0;
    ssize_t got = read_report(report[0], &child_errno, sizeof child_errno);
    if (got == (ssize_t)sizeof child_errno) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = child_errno;
        return -1;
    }
    return pid;
}
