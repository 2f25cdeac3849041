// Wrappers for calls Swift cannot make directly (variadic functions, macros),
// and the start-up hook that lets the static binary run as a guest's /init.
#ifndef CSHIMS_SYSTEM_H
#define CSHIMS_SYSTEM_H
#include <sys/types.h>

// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned grandchildren are reparented to
// us, so the runner can reap every process a benchmark left. prctl is variadic.
int cshims_become_subreaper(void);

// sched_setaffinity to one CPU (CPU_SET is a macro). Returns 0 or errno.
int cshims_pin_to_cpu(int cpu);
// The CPU this thread runs on now (sched_getcpu is a GNU extension), or -1.
int cshims_current_cpu(void);
// The CPUs this process may run on (CPU_ISSET is a macro): writes up to
// `capacity` CPU numbers to `cpus` and returns how many, or -1 with errno set.
int cshims_allowed_cpus(int *_Nonnull cpus, int capacity);
// Restores the affinity to exactly the given CPUs. Returns 0 or errno.
int cshims_set_cpus(const int *_Nonnull cpus, int count);

// pipe2(fds, O_CLOEXEC) and accept4(fd, NULL, NULL, SOCK_CLOEXEC): GNU
// extensions Swift's Glibc module does not export. Return -1 with errno set.
// statfs(path)'s f_type (the file system's magic number) in *type: <sys/vfs.h>
// is not in Swift's Glibc module. Returns 0, or -1 with errno set.
int cshims_fs_type(const char *_Nonnull path, unsigned long *_Nonnull type);

int cshims_pipe_cloexec(int fds[_Nonnull 2]);

// open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode): a file with no name
// (O_TMPFILE is not in Swift's Glibc module). Returns the descriptor, or -1 with
// errno set (EISDIR, EOPNOTSUPP or EINVAL where the kernel or file system has none).
int cshims_open_unnamed(const char *_Nonnull directory, unsigned int mode);
int cshims_accept_cloexec(int fd);

// Marks a directory as the top of a directory hierarchy (chattr +T,
// FS_TOPDIR_FL), so that ext4 spreads the directories made in it over its block
// groups. Returns 0 or errno (file systems without the flag refuse: harmless).
// `fd`: the directory, open.
int cshims_mark_top_directory(int fd);

// prctl(PR_SET_PDEATHSIG, SIGKILL) in a forked child: it dies when `parent`
// does (a runner killed with SIGKILL leaves no process of ours behind). Returns
// -1 if the parent is gone already, else 0. prctl is variadic.
int cshims_die_with_parent(pid_t parent);

// Columns of the terminal on fd, or 0 (ioctl is variadic).
int cshims_terminal_columns(int fd);

// The command line as the process received it. Swift's CommandLine reads
// /proc/self/cmdline, which is missing in a guest before /proc is mounted.
int cshims_argument_count(void);
const char *_Nullable cshims_argument(int index);

#endif
