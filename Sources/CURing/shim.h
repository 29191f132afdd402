#ifndef BATON_CURING_SHIM_H
#define BATON_CURING_SHIM_H
/*
 * liburing.h defines _GNU_SOURCE and _XOPEN_SOURCE before it includes the libc
 * headers. Inside a Clang module that would give this module a different
 * fd_set (and friends) than CBatonSys, Glibc and Dispatch see, and Clang
 * refuses to merge the two definitions ("fds_bits ... not present in
 * definition of fd_set"). Including the same libc headers first, in the
 * default feature set every other module uses, makes the definitions
 * identical; liburing only needs what that set provides (cpu_set_t and
 * sigset_t are there without _GNU_SOURCE in glibc).
 */
#include <features.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <inttypes.h>
#include <time.h>
#include <fcntl.h>
#include <sched.h>
#include <liburing.h>

/* Enum-built macros that the Swift importer drops: re-exported as constants. */
static const unsigned char baton_IOSQE_IO_LINK = IOSQE_IO_LINK;
static const unsigned char baton_IOSQE_IO_DRAIN = IOSQE_IO_DRAIN;
static const unsigned char baton_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
#endif
