#ifndef BATON_CURING_SHIM_H
#define BATON_CURING_SHIM_H
#include <liburing.h>

/* Enum-built macros that the Swift importer drops: re-exported as constants. */
static const unsigned char baton_IOSQE_IO_LINK = IOSQE_IO_LINK;
static const unsigned char baton_IOSQE_IO_DRAIN = IOSQE_IO_DRAIN;
static const unsigned char baton_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
#endif
