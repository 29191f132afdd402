/*
 * CBatonSys: the few things Swift cannot say well on Linux.
 *
 *  - C11 atomics over raw memory with the ordering spelled in the name
 *    (Agrona style: load_acquire / store_release / cas / fetch_add), used by the
 *    rings and position counters over memory Baton allocates itself.
 *  - The CPU pause hint for busy-spin loops.
 *  - GNU-only libc calls (the Swift Glibc module is built without _GNU_SOURCE):
 *    pinned thread creation, thread names, affinity queries, sendmmsg/recvmmsg.
 *  - Hardware CRC32C (SSE4.2) and the portable table-driven fallback.
 *
 * Everything here is thread-safe in the sense its name says; nothing allocates
 * except baton_thread_start (one small block per thread, freed by the thread).
 */
#ifndef BATON_CBATONSYS_H
#define BATON_CBATONSYS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

/* ---- CPU pause hint ------------------------------------------------------ */
static inline void baton_cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* ---- atomics over raw memory (64-bit) ----------------------------------- */
static inline int64_t baton_load_plain_i64(const void *p) {
    return __atomic_load_n((const int64_t *)p, __ATOMIC_RELAXED);
}
static inline int64_t baton_load_acquire_i64(const void *p) {
    return __atomic_load_n((const int64_t *)p, __ATOMIC_ACQUIRE);
}
static inline void baton_store_plain_i64(void *p, int64_t v) {
    __atomic_store_n((int64_t *)p, v, __ATOMIC_RELAXED);
}
static inline void baton_store_release_i64(void *p, int64_t v) {
    __atomic_store_n((int64_t *)p, v, __ATOMIC_RELEASE);
}
static inline void baton_store_seqcst_i64(void *p, int64_t v) {
    __atomic_store_n((int64_t *)p, v, __ATOMIC_SEQ_CST);
}
/* Compare-and-set; returns true when *p was `expected` and is now `desired`. */
static inline bool baton_cas_i64(void *p, int64_t expected, int64_t desired) {
    return __atomic_compare_exchange_n((int64_t *)p, &expected, desired, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline int64_t baton_fetch_add_i64(void *p, int64_t delta) {
    return __atomic_fetch_add((int64_t *)p, delta, __ATOMIC_ACQ_REL);
}
/* Raise *p to v if v is larger (monotonic counters); returns the value after. */
static inline int64_t baton_propose_max_release_i64(void *p, int64_t v) {
    int64_t cur = __atomic_load_n((int64_t *)p, __ATOMIC_ACQUIRE);
    while (cur < v) {
        if (__atomic_compare_exchange_n((int64_t *)p, &cur, v, true,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return v;
    }
    return cur;
}

/* ---- atomics over raw memory (32-bit) ----------------------------------- */
static inline int32_t baton_load_acquire_i32(const void *p) {
    return __atomic_load_n((const int32_t *)p, __ATOMIC_ACQUIRE);
}
static inline int32_t baton_load_plain_i32(const void *p) {
    return __atomic_load_n((const int32_t *)p, __ATOMIC_RELAXED);
}
static inline void baton_store_release_i32(void *p, int32_t v) {
    __atomic_store_n((int32_t *)p, v, __ATOMIC_RELEASE);
}
static inline void baton_store_plain_i32(void *p, int32_t v) {
    __atomic_store_n((int32_t *)p, v, __ATOMIC_RELAXED);
}
static inline bool baton_cas_i32(void *p, int32_t expected, int32_t desired) {
    return __atomic_compare_exchange_n((int32_t *)p, &expected, desired, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Full fences, for the rare protocol step that needs one. */
static inline void baton_fence_acquire(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
static inline void baton_fence_release(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
static inline void baton_fence_seqcst(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* ---- threads (GNU extensions) ------------------------------------------- */
typedef void (*baton_thread_body)(void *context);

/*
 * Starts a joinable thread running body(context). When cpu >= 0 the affinity is
 * set on the attribute before start, so the thread never runs elsewhere.
 * name (<= 15 bytes used) is set as the OS thread name. Returns 0 or an errno.
 */
int baton_thread_start(pthread_t *thread, baton_thread_body body, void *context,
                       int cpu, const char *name);
int baton_thread_join(pthread_t thread);
/* Name of the calling thread (<= 15 bytes + NUL). */
int baton_thread_set_name(const char *name);
/* Pins the calling thread to one CPU; 0 or an errno. */
int baton_thread_pin_self(int cpu);
/* Writes up to `capacity` CPU numbers of the calling thread's affinity mask into
 * cpus; returns how many, or -errno. */
int baton_thread_affinity_self(int *cpus, int capacity);
/* The CPU the caller is running on now, or -1. */
int baton_current_cpu(void);
/* Number of CPUs configured on the machine (sysconf), and whether `cpu` is online. */
int baton_cpu_count_configured(void);
bool baton_cpu_is_online(int cpu);
/* Kernel thread id of the caller (gettid). */
int baton_gettid(void);
/* CPU time of the calling process / given thread, in nanoseconds. */
int64_t baton_thread_cputime_ns(pthread_t thread);

/* ---- UDP batching (GNU extensions) -------------------------------------- */
/* Same layout as glibc's struct mmsghdr (GNU-only, so invisible to Swift). */
typedef struct baton_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} baton_mmsghdr;
int baton_sendmmsg(int fd, baton_mmsghdr *msgs, unsigned int count, int flags);
int baton_recvmmsg(int fd, baton_mmsghdr *msgs, unsigned int count, int flags);

/* ---- CRC32C (Castagnoli) ------------------------------------------------- */
/* True when the CPU has the SSE4.2 crc32 instruction. */
bool baton_crc32c_hw_available(void);
/* crc: the running value (0 to start); returns the updated CRC (pre/post
 * inverted internally, so chaining calls over consecutive pieces equals one
 * call over the whole). */
uint32_t baton_crc32c_hw(uint32_t crc, const void *data, size_t length);
uint32_t baton_crc32c_sw(uint32_t crc, const void *data, size_t length);

/* ---- sockets and epoll (BatonNet) ---------------------------------------- */
/* accept4 (GNU-only): flags are SOCK_NONBLOCK | SOCK_CLOEXEC. Returns the new
 * descriptor, or -1 with errno set. */
int baton_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
/* Sets SIGPIPE to SIG_IGN for the whole process (SIG_IGN is a macro Swift cannot
 * import). Returns 0 or an errno. Idempotent. */
int baton_ignore_sigpipe(void);

/* epoll is not in Swift's Glibc module, and including <sys/epoll.h> here would
 * clash with other C modules' copies of the libc headers, so it is wrapped:
 * baton_epoll_event has the layout of struct epoll_event (packed on x86-64
 * only, as in glibc; checked in net.c) and the BATON_EPOLL* values equal the EPOLL* ones. */
#if defined(__x86_64__)
#define BATON_EPOLL_PACKED __attribute__((packed)) /* as glibc's __EPOLL_PACKED */
#else
#define BATON_EPOLL_PACKED
#endif
typedef struct BATON_EPOLL_PACKED baton_epoll_event {
    uint32_t events;
    uint64_t data;
} baton_epoll_event;
static const uint32_t BATON_EPOLLIN = 0x001u;
static const uint32_t BATON_EPOLLPRI = 0x002u;
static const uint32_t BATON_EPOLLOUT = 0x004u;
static const uint32_t BATON_EPOLLERR = 0x008u;
static const uint32_t BATON_EPOLLHUP = 0x010u;
static const uint32_t BATON_EPOLLRDHUP = 0x2000u;
static const uint32_t BATON_EPOLLONESHOT = 1u << 30;
static const uint32_t BATON_EPOLLET = 1u << 31;
static const int BATON_EPOLL_CTL_ADD = 1;
static const int BATON_EPOLL_CTL_DEL = 2;
static const int BATON_EPOLL_CTL_MOD = 3;
/* epoll_create1(EPOLL_CLOEXEC): the descriptor or -1 with errno. */
int baton_epoll_create(void);
/* epoll_ctl with the event built from (events, data); 0 or -1 with errno. */
int baton_epoll_ctl(int epoll_fd, int operation, int fd, uint32_t events, uint64_t data);
/* epoll_wait into events[0..<capacity]: the count ready, or -1 with errno. */
int baton_epoll_wait(int epoll_fd, baton_epoll_event *events, int capacity, int timeout_ms);

#endif
