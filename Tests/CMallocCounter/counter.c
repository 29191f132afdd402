#define _GNU_SOURCE
#include "CMallocCounter.h"
#include <stddef.h>
#include <errno.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define BATON_MALLOC_COUNTER_DISABLED 1
#endif
#endif

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
static uint64_t process_count;

static inline void count_one(void) {
    thread_count++;
    __atomic_fetch_add(&process_count, 1, __ATOMIC_RELAXED);
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

#endif

#ifdef BATON_MALLOC_COUNTER_DISABLED
static uint64_t thread_count;
static uint64_t process_count;
#endif

uint64_t baton_malloc_count_thread(void) { return thread_count; }
uint64_t baton_malloc_count_process(void) { return __atomic_load_n(&process_count, __ATOMIC_RELAXED); }
int baton_malloc_counter_active(void) { return __atomic_load_n(&process_count, __ATOMIC_RELAXED) > 0; }
