// Process creation loops (lat_proc) and the child side of fork+exec. The child
// side must be C: between fork and exec only async-signal-safe calls are allowed.
#ifndef CSHIMS_PROCESS_H
#define CSHIMS_PROCESS_H
#include <stdint.h>
#include <sys/types.h>

// What the fork loops run in the child: `name` in the directory open as
// `directory`, found from that descriptor (a rename of the directory after it
// was opened cannot make the child run anything else).
struct cshims_exec_state {
    int directory;                           // the run directory, open
    const char *_Nonnull name;               // the program in it ("./hello")
    char *const _Nullable *_Nonnull argv;    // its argv
    char *const _Nullable *_Nonnull envp;    // its environment
};

// fork(); the child _exit()s at once; the parent waits for it.
int cshims_loop_fork_exit(void *_Nullable state, uint64_t iterations);
// fork(); the child closes stdout and execveat()s state->name relative to
// state->directory; the parent waits. Fails (ECHILD) if a child did not exit with status 0.
int cshims_loop_fork_exec(void *_Nullable state, uint64_t iterations);
// fork(); the child closes stdout, fchdir()s to state->directory and runs
// /bin/sh -c state->name; the parent waits.
int cshims_loop_fork_shell(void *_Nullable state, uint64_t iterations);

// Starts argv[0] (a path) with stdin from /dev/null (if stdin_null), stdout to
// out_fd and stderr to err_fd (-1: inherit), in working directory cwd (or NULL),
// in its own process group if new_group. Returns the pid, or -1 with errno set
// (also when exec failed: the child reports errno over a close-on-exec pipe).
pid_t cshims_spawn(const char *_Nonnull path, char *const _Nullable *_Nonnull argv,
                   char *const _Nullable *_Nonnull envp, const char *_Nullable cwd,
                   int out_fd, int err_fd, int new_group);

#endif
