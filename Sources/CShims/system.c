#include "cshims_system.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

int cshims_die_with_parent(pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return -1;
    return getppid() == parent ? 0 : -1;
}

int cshims_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : errno;
}

int cshims_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int cshims_current_cpu(void) { return sched_getcpu(); }

int cshims_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

int cshims_set_cpus(const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++) CPU_SET(cpus[i], &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int cshims_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cshims_open_unnamed(const char *directory, unsigned int mode) {
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, (mode_t)mode);
}

int cshims_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int cshims_mark_top_directory(int fd) {
    int flags = 0, rc = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) rc = errno;
    else if (!(flags & FS_TOPDIR_FL)) {
        flags |= FS_TOPDIR_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) rc = errno;
    }
    return rc;
}

int cshims_terminal_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

// Brings up the loopback interface, which nothing has done in a bare guest.
static void loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
}

static int saved_argc;
static char **saved_argv;

int cshims_argument_count(void) { return saved_argc; }

const char *cshims_argument(int index) {
    return index >= 0 && index < saved_argc ? saved_argv[index] : NULL;
}

// Runs before the Swift runtime's own initialisers (priority 101 is the earliest);
// glibc passes the command line to it. The static Swift runtime reads
// /proc/self/exe while it initialises: as a guest's /init, mount /proc (and /sys,
// /dev) first; elsewhere without /proc, tell the runtime to skip that lookup.
__attribute__((constructor(101))) static void cshims_early_start(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
    if (getpid() == 1) {
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
        mkdir("/sys", 0555);
        mount("sysfs", "/sys", "sysfs", 0, NULL);
        mkdir("/dev", 0755);
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
        loopback_up();  // the network benchmarks talk to 127.0.0.1
        mkdir("/tmp", 01777);
    }
    if (access("/proc/self/exe", F_OK) != 0) {
        setenv("SWIFT_BACKTRACE", "enable=no,swift-backtrace=/nonexistent", 0);
    }
}

int cshims_fs_type(const char *path, unsigned long *type) {
    struct statfs buffer;
    if (statfs(path, &buffer) != 0) return -1;
    *type = (unsigned long)buffer.f_type;
    return 0;
}
