/*
 * CMallocCounter: test support. Interposes malloc, calloc, realloc,
 * posix_memalign, aligned_alloc and memalign in the test process and counts
 * every call made by the calling thread (thread-local, so other threads of the
 * test runner do not disturb a measurement) and process-wide.
 */
#ifndef BATON_CMALLOCCOUNTER_H
#define BATON_CMALLOCCOUNTER_H
#include <stdint.h>

/* Allocation calls made by the calling thread since it started. */
uint64_t baton_malloc_count_thread(void);
/* Allocation calls made by all threads since the process started. */
uint64_t baton_malloc_count_process(void);
/* 1 when the interposer is linked and active (a first allocation was seen). */
int baton_malloc_counter_active(void);
#endif
