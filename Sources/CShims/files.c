#include "cshims_files.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// --- file create and delete ----------------------------------------------

static char *joined(const char *directory, uint64_t index) {
    char name[PATH_MAX];
    if (snprintf(name, sizeof name, "%s/%llu", directory, (unsigned long long)index) >= (int)sizeof name) return NULL;
    return strdup(name);
}

// Fills names[*next...] below `directory`, with `depth` levels of sub-directories.
static int fill(struct cshims_fs_state *s, const char *directory, int depth, uint64_t *next) {
    uint64_t per = (uint64_t)s->per_directory;
    if (depth == 0) {
        for (uint64_t i = 0; i < per && *next < s->count; i++) {
            if (!(s->names[(*next)++] = joined(directory, i))) return ENAMETOOLONG;
        }
        return 0;
    }
    for (uint64_t i = 0; i < per && *next < s->count; i++) {
        char *sub = joined(directory, i);
        if (!sub) return ENAMETOOLONG;
        s->directories[s->directory_count++] = sub;
        if (mkdir(sub, 0700) != 0) return errno;
        int rc = fill(s, sub, depth - 1, next);
        if (rc) return rc;
    }
    return 0;
}

int cshims_fs_prepare(struct cshims_fs_state *s, uint64_t count) {
    s->count = count;
    s->directory_count = 0;
    int depth = 0;
    uint64_t capacity = (uint64_t)s->per_directory, directories = 1;
    while (capacity < count) {
        capacity *= (uint64_t)s->per_directory;
        depth++;
    }
    for (uint64_t level = 1, width = 1; (int)level <= depth; level++) {
        width *= (uint64_t)s->per_directory;
        directories += width;
    }
    s->names = calloc(count ? count : 1, sizeof *s->names);
    s->directories = calloc(directories, sizeof *s->directories);
    s->buffer = calloc(s->size ? s->size : 1, 1);
    if (!s->names || !s->directories || !s->buffer) return ENOMEM;
    char template[PATH_MAX];
    if (snprintf(template, sizeof template, "%s/fs.XXXXXX", s->parent) >= (int)sizeof template) return ENAMETOOLONG;
    if (!mkdtemp(template)) return errno;
    s->directories[s->directory_count++] = strdup(template);
    uint64_t next = 0;
    return fill(s, template, depth, &next);
}

void cshims_fs_release(struct cshims_fs_state *s) {
    if (s->names) {
        for (uint64_t i = 0; i < s->count; i++) {
            if (s->names[i]) {
                unlink(s->names[i]);
                free(s->names[i]);
            }
        }
        free(s->names);
    }
    if (s->directories) {
        for (uint64_t i = s->directory_count; i-- > 0;) {
            if (s->directories[i]) {
                rmdir(s->directories[i]);
                free(s->directories[i]);
            }
        }
        free(s->directories);
    }
    free(s->buffer);
    s->names = NULL;
    s->directories = NULL;
    s->buffer = NULL;
    s->count = s->directory_count = 0;
}

int cshims_loop_fs_create(void *state, uint64_t iterations) {
    struct cshims_fs_state *s = state;
    if (iterations > s->count) return EINVAL;
    for (uint64_t i = iterations; i-- > 0;) {
        int fd = creat(s->names[i], 0666);
        if (fd < 0) return errno;
        if (s->size && write(fd, s->buffer, s->size) != (ssize_t)s->size) {
            int saved = errno ? errno : EIO;
            close(fd);
            return saved;
        }
        close(fd);
    }
    return 0;
}

int cshims_loop_fs_delete(void *state, uint64_t iterations) {
    struct cshims_fs_state *s = state;
    if (iterations > s->count) return EINVAL;
    for (uint64_t i = iterations; i-- > 0;) {
        if (unlink(s->names[i]) != 0) return errno;
    }
    return 0;
}

// --- mmap latency -----------------------------------------------------------

int cshims_loop_mmap(void *state, uint64_t iterations) {
    struct cshims_mmap_state *s = state;
    char value = (char)(s->size & 0xff);
    for (uint64_t i = 0; i < iterations; i++) {
        char *where = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
        if (where == MAP_FAILED) return errno;
        char *end = where + s->size / 10;
        for (volatile char *p = where; p < end; p += 16 * 1024) *p = value;
        munmap(where, s->size);
    }
    return 0;
}

// --- page faults ------------------------------------------------------------

static int remap(struct cshims_pagefault_state *s) {
    if (s->where) munmap(s->where, s->size);
    s->where = mmap(NULL, s->size, PROT_READ, MAP_SHARED, s->fd, 0);
    if (s->where == MAP_FAILED) {
        s->where = NULL;
        return errno;
    }
    return msync(s->where, s->size, MS_INVALIDATE) == 0 ? 0 : errno;
}

int cshims_pagefault_begin(struct cshims_pagefault_state *s) {
    s->where = NULL;
    return remap(s);
}

void cshims_pagefault_end(struct cshims_pagefault_state *s) {
    if (s->where) munmap(s->where, s->size);
    s->where = NULL;
}

int cshims_loop_remap(void *state, uint64_t iterations) {
    struct cshims_pagefault_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        int rc = remap(s);
        if (rc) return rc;
    }
    return 0;
}

int cshims_loop_pagefault(void *state, uint64_t iterations) {
    struct cshims_pagefault_state *s = state;
    for (uint64_t i = 0; i < iterations; i++) {
        const volatile unsigned char *base = s->where;
        uint64_t sum = 0;
        for (uint64_t p = 0; p < s->pages; p++) sum += base[s->offsets[p]];
        s->sink += sum;
        int rc = remap(s);
        if (rc) return rc;
    }
    return 0;
}

// --- the test file ----------------------------------------------------------

int cshims_loop_file_write(void *state, uint64_t iterations) {
    struct cshims_file_write_state *s = state;
    static char block[8192];
    for (uint64_t i = 0; i < iterations; i++) {
        // In the run's private directory (mkdtemp, mode 0700): no one else can plant a link there.
        int fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) return errno;
        for (uint64_t left = s->size; left > 0;) {
            size_t chunk = left < sizeof block ? (size_t)left : sizeof block;
            ssize_t n = write(fd, block, chunk);
            if (n <= 0) {
                int saved = n < 0 ? errno : EIO;
                close(fd);
                return saved;
            }
            left -= (uint64_t)n;
        }
        if (fsync(fd) != 0) {
            int saved = errno;
            close(fd);
            return saved;
        }
        close(fd);
    }
    return 0;
}
