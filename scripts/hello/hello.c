/* The program the fork+execve and fork+/bin/sh -c benchmarks run: it writes one
 * line and exits, dynamically linked against the system's libc so that its cost
 * includes loading it, as the program LMBench's lat_proc runs does. */
#include <unistd.h>

int main(void) {
    write(1, "Hello world\n", 12);
    return 0;
}
