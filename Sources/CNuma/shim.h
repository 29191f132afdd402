#ifndef BATON_CNUMA_SHIM_H
#define BATON_CNUMA_SHIM_H
#include <numa.h>
#include <numaif.h>
#endif
