/* Small write + fdatasync latency with and without zeros written ahead of the
 * data (the log writer's zero-ahead, `LogWriter+ZeroAhead.swift`).
 * Usage: zero-ahead ZERO COUNT SIZE CHUNK [DIR]
 *   ZERO 0: writes go into posix_fallocate()d space; 1: a CHUNK of zeros is
 *   written (and synced, outside the measured time) while less than 8 MiB lies
 *   zeroed ahead; 2: the same without its own sync and inside the measured
 *   time (the next data sync carries it — what the writer does).
 * Prints p50/p90/p99/p99.9/max of COUNT SIZE-byte appends; removes its file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static int compare(const void *a, const void *b) { long long x = *(const long long *)a, y = *(const long long *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s ZERO COUNT SIZE CHUNK [DIR]\n", argv[0]); return 2; }
    int zero = atoi(argv[1]), count = atoi(argv[2]), size = atoi(argv[3]), chunk = atoi(argv[4]);
    char path[4096];
    snprintf(path, sizeof path, "%s/zero-ahead.%d.dat", argc > 5 ? argv[5] : ".", getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    if (posix_fallocate(fd, 0, 1LL << 30) != 0) { perror("posix_fallocate"); return 1; }
    char *data = malloc(size); memset(data, 'x', size);
    char *zeros = calloc(1, chunk);
    long long *latency = malloc(sizeof *latency * count);
    long long zeroed = 0, position = 0;
    for (int i = 0; i < count; i++) {
        long long start = now();
        if (zero && zeroed < position + (8 << 20)) {
            pwrite(fd, zeros, chunk, zeroed);
            if (zero == 1) fdatasync(fd);
            zeroed += chunk;
        }
        if (zero != 2) start = now();
        if (pwrite(fd, data, size, position) != size) { perror("pwrite"); return 1; }
        fdatasync(fd);
        latency[i] = now() - start;
        position += size;
    }
    qsort(latency, count, sizeof *latency, compare);
    printf("zero=%d size=%d chunk=%d p50=%lld p90=%lld p99=%lld p99.9=%lld max=%lld us\n", zero, size, chunk,
           latency[count / 2] / 1000, latency[count * 9 / 10] / 1000, latency[count * 99 / 100] / 1000,
           latency[count * 999 / 1000] / 1000, latency[count - 1] / 1000);
    unlink(path);
    return 0;
}
