/*
 * CMallocCounter: test support. Interposes malloc, calloc, realloc,
 * posix_memalign, aligned_alloc and memalign in the test process and counts
 * every call made by the calling thread (thread-local, so other threads of the
 * test runner do not disturb a measurement) and process-wide.
 *
 * It can also record where allocations happen: while a thread has tracing
 * armed, each of its counted allocations (up to BATON_MALLOC_TRACE_CAPACITY)
 * saves its call stack (return addresses, via backtrace(3)), so a failing
 * allocation test can name the allocating call instead of only counting it.
 * Symbolising the addresses is the caller's job, after the measurement.
 */
#ifndef BATON_CMALLOCCOUNTER_H
#define BATON_CMALLOCCOUNTER_H
#include <stdint.h>

/* How many allocations a thread's armed trace keeps; later ones are counted only. */
#define BATON_MALLOC_TRACE_CAPACITY 8
/* Return addresses kept per recorded allocation (innermost first). */
#define BATON_MALLOC_TRACE_DEPTH 48

/* Allocation calls made by the calling thread since it started. */
uint64_t baton_malloc_count_thread(void);
/* Allocation calls made by all threads since the process started. */
uint64_t baton_malloc_count_process(void);
/* 1 when the interposer is linked and active (a first allocation was seen). */
int baton_malloc_counter_active(void);

/* Forgets earlier records. Also warms backtrace(3) (its first call loads the
 * unwinder, which allocates), so call it before a measurement, not inside. */
void baton_malloc_trace_clear(void);
/* Starts recording the calling thread's allocations (cheap: a thread-local
 * flag, so it can bracket each measured call). Only one thread at a time may
 * have tracing armed (the records are process-wide). */
void baton_malloc_trace_arm(void);
/* Stops recording; the records stay readable until the next clear. */
void baton_malloc_trace_disarm(void);
/* Allocations recorded since the last clear (at most BATON_MALLOC_TRACE_CAPACITY). */
int baton_malloc_trace_count(void);
/* Copies the call stack of record `index` into `frames` (at most `capacity`
 * addresses); returns how many were copied (0 for an index out of range). */
int baton_malloc_trace_frames(int index, void **frames, int capacity);
/* dladdr(3) for a recorded address: the file of the object holding it, that
 * object's load base, and the nearest exported symbol (NULL when none).
 * Returns 0 when no loaded object holds the address. */
int baton_malloc_trace_object(const void *address, const char **file, void **base, const char **symbol);
#endif
