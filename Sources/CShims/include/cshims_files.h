// File and VM latencies (lat_fs, lat_mmap, lat_pagefault) and the test file
// write (lmdd).
#ifndef CSHIMS_FILES_H
#define CSHIMS_FILES_H
#include <stddef.h>
#include <stdint.h>

// File create/delete: `count` file names in a fresh directory tree under
// `parent`, at most `per_directory` entries per directory (LMBench: 100), each
// file `size` bytes. Names are made before timing; the loops go through them in
// reverse order, as LMBench's.
struct cshims_fs_state {
    const char *_Nonnull parent;
    size_t size;
    int per_directory;
    // Set by cshims_fs_prepare, freed by cshims_fs_release:
    char *_Nullable *_Nullable names;
    char *_Nullable *_Nullable directories;
    uint64_t count;
    uint64_t directory_count;
    char *_Nullable buffer;
};
// Makes the directory tree and the names for `count` files. Returns 0 or errno.
int cshims_fs_prepare(struct cshims_fs_state *_Nonnull state, uint64_t count);
// Removes whatever files and directories remain, and frees the names.
void cshims_fs_release(struct cshims_fs_state *_Nonnull state);
// creat(), write `size` bytes in one call, close(), per file.
int cshims_loop_fs_create(void *_Nullable state, uint64_t iterations);
// unlink() per file.
int cshims_loop_fs_delete(void *_Nullable state, uint64_t iterations);

// mmap(size, read/write, shared) of a file, a store every 16 KiB over the first
// tenth of the mapping, munmap().
struct cshims_mmap_state {
    int fd;
    size_t size;
};
int cshims_loop_mmap(void *_Nullable state, uint64_t iterations);

// Page faults: a read-only shared mapping of a whole file. One iteration of the
// remap loop: munmap, mmap, msync(MS_INVALIDATE). One iteration of the fault
// loop: read one byte of every page in a random order, then the same remap.
struct cshims_pagefault_state {
    int fd;
    size_t size;                              // bytes mapped (whole pages), 64-bit
    const uint64_t *_Nonnull offsets;         // a permutation of the pages' offsets
    uint64_t pages;
    unsigned char *_Nullable where;           // the current mapping
    uint64_t sink;
};
// Maps the file the first time. Returns 0 or errno.
int cshims_pagefault_begin(struct cshims_pagefault_state *_Nonnull state);
void cshims_pagefault_end(struct cshims_pagefault_state *_Nonnull state);
int cshims_loop_remap(void *_Nullable state, uint64_t iterations);
int cshims_loop_pagefault(void *_Nullable state, uint64_t iterations);

// Writes `size` bytes of zeros to a new file `path` in 8 KiB writes, fsync()s
// and closes it: lmdd of=FILE move=MB fsync=1. The timed loop runs it once per
// iteration.
struct cshims_file_write_state {
    const char *_Nonnull path;
    uint64_t size;
};
int cshims_loop_file_write(void *_Nullable state, uint64_t iterations);

#endif
