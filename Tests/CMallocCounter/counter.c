#define _GNU_SOURCE
#include "CMallocCounter.h"
#include <stddef.h>
#include <errno.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define BATON_MALLOC_COUNTER_DISABLED 1
#endif
#endif

/* The trace records: written only by the one armed thread, read after it disarms. */
static void *trace_frames[BATON_MALLOC_TRACE_CAPACITY][BATON_MALLOC_TRACE_DEPTH];
static int trace_depths[BATON_MALLOC_TRACE_CAPACITY];
static int trace_recorded;

#ifndef BATON_MALLOC_COUNTER_DISABLED
/* Sanitizers interpose malloc themselves (and call it before they are ready):
 * under them the counter is off, baton_malloc_counter_active() returns 0 and
 * allocation tests skip. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread uint64_t thread_count __attribute__((tls_model("initial-exec")));
static __thread int trace_armed __attribute__((tls_model("initial-exec")));
/* Set while this thread is inside backtrace(3): what it allocates is neither counted nor recorded. */
static __thread int inside_trace __attribute__((tls_model("initial-exec")));
static uint64_t process_count;

static void record_trace(void) {
    if (trace_recorded >= BATON_MALLOC_TRACE_CAPACITY) return;
    inside_trace = 1;
    int depth = backtrace(trace_frames[trace_recorded], BATON_MALLOC_TRACE_DEPTH);
    trace_depths[trace_recorded] = depth;
    trace_recorded++;
    inside_trace = 0;
}

/* Counts one allocation call (and records it while armed), unless it comes from the tracer itself. */
static inline void count_one(void) {
    if (__builtin_expect(inside_trace, 0)) return;
    thread_count++;
    __atomic_fetch_add(&process_count, 1, __ATOMIC_RELAXED);
    if (__builtin_expect(trace_armed, 0)) record_trace();
}

void *malloc(size_t n) { count_one(); return __libc_malloc(n); }
void *calloc(size_t n, size_t s) { count_one(); return __libc_calloc(n, s); }
void *realloc(void *p, size_t n) { count_one(); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) { count_one(); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count_one(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    count_one();
    if (a < sizeof(void *) || (a & (a - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(a, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

void baton_malloc_trace_clear(void) {
    void *warm[4];
    inside_trace = 1;
    backtrace(warm, 4);
    inside_trace = 0;
    trace_recorded = 0;
}

void baton_malloc_trace_arm(void) { trace_armed = 1; }

void baton_malloc_trace_disarm(void) { trace_armed = 0; }

#endif

#ifdef BATON_MALLOC_COUNTER_DISABLED
static uint64_t thread_count;
static uint64_t process_count;
void baton_malloc_trace_clear(void) { trace_recorded = 0; }
void baton_malloc_trace_arm(void) {}
void baton_malloc_trace_disarm(void) {}
#endif

uint64_t baton_malloc_count_thread(void) { return thread_count; }
uint64_t baton_malloc_count_process(void) { return __atomic_load_n(&process_count, __ATOMIC_RELAXED); }
int baton_malloc_counter_active(void) { return __atomic_load_n(&process_count, __ATOMIC_RELAXED) > 0; }

int baton_malloc_trace_count(void) { return trace_recorded; }

int baton_malloc_trace_frames(int index, void **frames, int capacity) {
    if (index < 0 || index >= trace_recorded || capacity <= 0) return 0;
    int depth = trace_depths[index] < capacity ? trace_depths[index] : capacity;
    memcpy(frames, trace_frames[index], (size_t)depth * sizeof(void *));
    return depth;
}

int baton_malloc_trace_object(const void *address, const char **file, void **base, const char **symbol) {
    Dl_info info;
    if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return 0;
    *file = info.dli_fname;
    *base = info.dli_fbase;
    *symbol = info.dli_sname;
    return 1;
}
