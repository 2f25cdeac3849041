// The hello programs run by the fork+execve and fork+/bin/sh -c benchmarks,
// embedded by scripts/embed-hello. Each returns the image and sets *size (0: none
// for this architecture). Functions, because Swift cannot import unsized arrays.
#ifndef CSHIMS_HELLO_H
#define CSHIMS_HELLO_H

// Dynamically linked against the system's libc, like LMBench's /tmp/hello.
const unsigned char *_Nullable cshims_hello_dynamic(unsigned long *_Nonnull size);
// Static, no libc: for guests without a dynamic loader.
const unsigned char *_Nullable cshims_hello_static(unsigned long *_Nonnull size);

#endif
