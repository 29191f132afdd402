/* Write + sync latency into fallocated (unwritten) vs written extents, the
 * measurement behind the log writer's zero-ahead (docs/ARCHITECTURE.md,
 * "Write paths tried"). Usage: sync-extents MODE WRITTEN COUNT [SIZE] [DIR]
 *   MODE 0 buffered pwrite + fdatasync   1 O_DIRECT pwrite + fdatasync
 *        2 O_DIRECT pwritev2(RWF_DSYNC)  3 buffered pwritev2(RWF_DSYNC)
 *   WRITTEN 0: the file is posix_fallocate()d; 1: it is written with zeros first.
 * Prints p50/p99/p99.9/max of COUNT sequential SIZE-byte (default 4096) writes
 * into DIR (default .); removes its file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static int compare(const void *a, const void *b) { long long x = *(const long long *)a, y = *(const long long *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s MODE WRITTEN COUNT [SIZE] [DIR]\n", argv[0]); return 2; }
    int mode = atoi(argv[1]), written = atoi(argv[2]), count = atoi(argv[3]);
    int size = argc > 4 ? atoi(argv[4]) : 4096;
    char path[4096];
    snprintf(path, sizeof path, "%s/sync-extents.%d.dat", argc > 5 ? argv[5] : ".", getpid());
    int direct = mode == 1 || mode == 2;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | (direct ? O_DIRECT : 0), 0644);
    if (fd < 0) { perror(path); return 1; }
    long long length = 256LL << 20;
    if (written) {
        int zfd = open(path, O_RDWR | O_DIRECT);
        void *zeros = NULL;
        if (posix_memalign(&zeros, 4096, 1 << 20) != 0) { perror("posix_memalign"); return 1; }
        memset(zeros, 0, 1 << 20);
        for (long long o = 0; o < length; o += 1 << 20) pwrite(zfd, zeros, 1 << 20, o);
        fdatasync(zfd); close(zfd); free(zeros);
    } else if (posix_fallocate(fd, 0, length) != 0) { perror("posix_fallocate"); return 1; }
    void *data = NULL;
    if (posix_memalign(&data, 4096, size) != 0) { perror("posix_memalign"); return 1; }
    memset(data, 'x', size);
    long long *latency = malloc(sizeof *latency * count);
    for (int i = 0; i < count; i++) {
        long long start = now(); off_t offset = (off_t)i * size;
        if (mode == 0 || mode == 1) {
            if (pwrite(fd, data, size, offset) != size) { perror("pwrite"); return 1; }
            fdatasync(fd);
        } else {
            struct iovec vector = { data, size };
            if (pwritev2(fd, &vector, 1, offset, RWF_DSYNC) != size) { perror("pwritev2"); return 1; }
        }
        latency[i] = now() - start;
    }
    qsort(latency, count, sizeof *latency, compare);
    printf("mode=%d written=%d size=%d p50=%lld p99=%lld p99.9=%lld max=%lld us\n", mode, written, size,
           latency[count / 2] / 1000, latency[count * 99 / 100] / 1000, latency[count * 999 / 1000] / 1000, latency[count - 1] / 1000);
    unlink(path);
    return 0;
}
