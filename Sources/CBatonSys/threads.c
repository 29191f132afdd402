#define _GNU_SOURCE
#include "CBatonSys.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/syscall.h>

struct baton_thread_start_block {
    baton_thread_body body;
    void *context;
    char name[16];
};

static void *baton_thread_trampoline(void *raw) {
    struct baton_thread_start_block block = *(struct baton_thread_start_block *)raw;
    free(raw);
    if (block.name[0] != 0) pthread_setname_np(pthread_self(), block.name);
    block.body(block.context);
    return NULL;
}

int baton_thread_start(pthread_t *thread, baton_thread_body body, void *context,
                       int cpu, const char *name) {
    struct baton_thread_start_block *block = calloc(1, sizeof(*block));
    if (block == NULL) return ENOMEM;
    block->body = body;
    block->context = context;
    if (name != NULL) strncpy(block->name, name, sizeof(block->name) - 1);

    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0) { free(block); return rc; }
    if (cpu >= 0) {
        if (cpu >= CPU_SETSIZE) { pthread_attr_destroy(&attr); free(block); return EINVAL; }
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
        if (rc != 0) { pthread_attr_destroy(&attr); free(block); return rc; }
    }
    rc = pthread_create(thread, &attr, baton_thread_trampoline, block);
    pthread_attr_destroy(&attr);
    if (rc != 0) free(block);
    return rc;
}

int baton_thread_join(pthread_t thread) { return pthread_join(thread, NULL); }

int baton_thread_set_name(const char *name) {
    char buf[16];
    strncpy(buf, name, sizeof(buf) - 1);
    buf[15] = 0;
    return pthread_setname_np(pthread_self(), buf);
}

int baton_thread_pin_self(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int baton_thread_affinity_self(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    int rc = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
    if (rc != 0) return -rc;
    int n = 0;
    for (int i = 0; i < CPU_SETSIZE && n < capacity; i++) {
        if (CPU_ISSET(i, &set)) cpus[n++] = i;
    }
    return n;
}

int baton_current_cpu(void) { return sched_getcpu(); }

int baton_cpu_count_configured(void) { return (int)sysconf(_SC_NPROCESSORS_CONF); }

bool baton_cpu_is_online(int cpu) {
    if (cpu < 0) return false;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpu < online) {
        /* Common case: CPUs 0..online-1 are online; confirm via sysfs when present. */
    }
    char path[96];
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
    if (access(path, F_OK) != 0) return false;
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true; /* cpu0 often has no 'online' file: always online */
    int c = fgetc(f);
    fclose(f);
    return c == '1';
}

int baton_gettid(void) { return (int)syscall(SYS_gettid); }

int64_t baton_thread_cputime_ns(pthread_t thread) {
    clockid_t clock;
    if (pthread_getcpuclockid(thread, &clock) != 0) return -1;
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) return -1;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

_Static_assert(sizeof(baton_mmsghdr) == sizeof(struct mmsghdr), "baton_mmsghdr must match struct mmsghdr");

int baton_sendmmsg(int fd, baton_mmsghdr *msgs, unsigned int count, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)msgs, count, flags);
}

int baton_recvmmsg(int fd, baton_mmsghdr *msgs, unsigned int count, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)msgs, count, flags, NULL);
}
