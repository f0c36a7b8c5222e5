/* ups_stream.h: streaming (non-temporal) stores for outputs much larger than the
   caches: ups_stream_copy writes a staged run of bytes, ups_store_fence orders such
   stores before another thread reads them. Used by the vertical combines
   (_combine.pxi), the planar, volume and uint8 passes and the nearest gathers when the
   plan asks them to stream. */
#ifndef UPSAMPLE_UPS_STREAM_H
#define UPSAMPLE_UPS_STREAM_H
#include "ups_common.h"
/* Copy with non-temporal (streaming) stores: the destination bypasses the
   caches, so writing a large output costs one memory write per line
   instead of a read-for-ownership plus a write. Only whole 64-byte lines
   are streamed; a partly covered line at either end is written normally
   (a partial streamed line would be flushed as a slow partial write). */
static void ups_stream_copy(void *dst, const void *src, Py_ssize_t nbytes) {
#if defined(__SSE2__)
    char *d = (char *)dst;
    const char *s = (const char *)src;
    Py_ssize_t head = (Py_ssize_t)((64 - ((size_t)d & 63)) & 63);
    if (head > nbytes) head = nbytes;
    memcpy(d, s, (size_t)head);
    d += head; s += head; nbytes -= head;
    for (; nbytes >= 64; nbytes -= 64, d += 64, s += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
    }
    memcpy(d, s, (size_t)nbytes);
#else
    memcpy(dst, src, (size_t)nbytes);
#endif
}
/* Streaming stores are weakly ordered: fence before another thread reads. */
static void ups_store_fence(void) {
#if defined(__SSE2__)
    _mm_sfence();
#endif
}
#endif  /* UPSAMPLE_UPS_STREAM_H */
