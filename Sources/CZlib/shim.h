// zlib, for the deflate/inflate of HdrHistogram's compressed V2 encoding
// (BatonBench). The one-shot `compress2`/`uncompress` calls are used: they
// produce and read the zlib format (RFC 1950) that HdrHistogram's
// `Deflater`/`Inflater` use, and need none of zlib's function-like macros.
#ifndef BATON_CZLIB_SHIM_H
#define BATON_CZLIB_SHIM_H
#include <zlib.h>
#endif
