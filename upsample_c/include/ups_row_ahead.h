/* ups_row_ahead.h: a stretch of the next source row asked into L2 while this one is
   resampled (ups_prefetch_span), for the planar passes width first without the row
   tiles (_planar.pxi, _uint8.pxi). A shrinking table reads source rows far apart
   (linear at x0.25: two rows of every four), which the hardware prefetcher does not
   foresee; a 4K RGBA uint8 image at x0.25 waited on its rows for most of its time
   (issue 19). A prefetch changes no value. */
#ifndef UPSAMPLE_UPS_ROW_AHEAD_H
#define UPSAMPLE_UPS_ROW_AHEAD_H
#include "ups_common.h"
/* Bytes [first, last) from p, one request per 64-byte line; nothing when last <= first
   or without the compiler's prefetch builtin. */
static inline void ups_prefetch_span(const void *p, Py_ssize_t first, Py_ssize_t last) {
#if defined(__GNUC__)
    const char *bytes = (const char *)p;
    Py_ssize_t b;
    for (b = first; b < last; b += 64) __builtin_prefetch(bytes + b, 0, 2);
#else
    (void)p; (void)first; (void)last;
#endif
}
#endif  /* UPSAMPLE_UPS_ROW_AHEAD_H */
