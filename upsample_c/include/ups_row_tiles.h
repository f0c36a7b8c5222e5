/* ups_row_tiles.h: eight rows of few-channel float pixels resampled at once through
   transposed tiles (ups_resample_rows8, vector builds only; ups_row_tiles_available says whether
   the build has it). Used by the planar, volume and uint8 passes (_planar.pxi,
   _volume.pxi, _uint8.pxi) when the plan asks for row tiles, and by
   halve_float_available (_halving.pxi). */
#ifndef UPSAMPLE_UPS_ROW_TILES_H
#define UPSAMPLE_UPS_ROW_TILES_H
#include "ups_common.h"
/* Eight rows of few-channel pixels resampled at once, for any scale.

   A row of 3-channel pixels resampled at an arbitrary scale is a scalar
   loop: every output pixel reads its own source pixels. Eight rows that
   share one table are different: transposed so that the eight rows'
   values of one element sit side by side, each output element becomes
   one 8-wide multiply-add per tap with a broadcast weight. For each block
   of ROW_TILE_PIXELS output pixels, the stretch of the rows it reads is
   transposed into `tile` (at most in_len x 8 floats), combined into
   `block` (ROW_TILE_PIXELS x channels x 8 floats) and transposed back into
   the eight destination rows. The sums run over the taps in order, a
   product then a product added per tap, as everywhere else, so they are
   the one-row loop's to the bit.
   Which rows use the tiles depends only on the shapes, never on the
   thread count. */
#define ROW_TILE_PIXELS 64
#if defined(UPS_SIMD)
/* out[c] (c < nc, nc literal at every call) = one pixel's channels over
   the eight rows of a tile: a product, then multiply-adds in tap order. */
UPS_SPECIALISED void ups_tile_group(float *out, const float *tile, Py_ssize_t first,
                                    const Py_ssize_t *o, const float *w, Py_ssize_t taps,
                                    int nc) {
    ups_v8 acc[4];
    Py_ssize_t k;
    int c;
    ups_v8 wv = ups_v8_set1(w[0]);
    const float *p = tile + (o[0] - first) * 8;
    for (c = 0; c < nc; c++) acc[c] = ups_v8_mul(wv, ups_v8_loadu(p + c * 8));
    for (k = 1; k < taps; k++) {
        wv = ups_v8_set1(w[k]);
        p = tile + (o[k] - first) * 8;
        for (c = 0; c < nc; c++) acc[c] = UPS_MADD(wv, ups_v8_loadu(p + c * 8), acc[c]);
    }
    for (c = 0; c < nc; c++) ups_v8_storeu(out + c * 8, acc[c]);
}
UPS_SPECIALISED void ups_tile_pixels(float *out, const float *tile, Py_ssize_t first,
                                   Py_ssize_t j0, Py_ssize_t j1,
                                   Py_ssize_t channels, const Py_ssize_t *offsets,
                                   const float *weights, Py_ssize_t taps) {
    Py_ssize_t j, c, k;
    for (j = j0; j < j1; j++, out += channels * 8) {
        const Py_ssize_t *o = offsets + j * taps;
        const float *w = weights + j * taps;
        if (taps <= 4) {
            /* The pixel's taps in locals, read once for all its channels
               (a store through `out` could otherwise change the tables,
               as far as the compiler knows). */
            const float *p[4];
            ups_v8 wv[4];
            p[0] = tile + (o[0] - first) * 8;
            wv[0] = ups_v8_set1(w[0]);
            for (k = 1; k < taps; k++) {
                p[k] = tile + (o[k] - first) * 8;
                wv[k] = ups_v8_set1(w[k]);
            }
            for (c = 0; c < channels; c++) {
                ups_v8 acc = ups_v8_mul(wv[0], ups_v8_loadu(p[0] + c * 8));
                for (k = 1; k < taps; k++)
                    acc = UPS_MADD(wv[k], ups_v8_loadu(p[k] + c * 8), acc);
                ups_v8_storeu(out + c * 8, acc);
            }
            continue;
        }
        /* More taps: up to four channels at a time keep their sums in
           registers while the taps go by, so each tap's weight and
           position are read once per group instead of once per channel. */
        for (c = 0; c + 4 <= channels; c += 4)
            ups_tile_group(out + c * 8, tile + c * 8, first, o, w, taps, 4);
        switch (channels - c) {
            case 3: ups_tile_group(out + c * 8, tile + c * 8, first, o, w, taps, 3); break;
            case 2: ups_tile_group(out + c * 8, tile + c * 8, first, o, w, taps, 2); break;
            case 1: ups_tile_group(out + c * 8, tile + c * 8, first, o, w, taps, 1); break;
            default: break;
        }
    }
}
#endif
static int ups_row_tiles_available(void) {
#if defined(UPS_SIMD)
    return 1;
#else
    return 0;
#endif
}
#if defined(UPS_SIMD)
/* The body of ups_resample_rows8 (float source rows, `bytes` 0) and of
   ups_resample_rows8_uint8 (uint8 source rows, `bytes` 1, each literal):
   uint8 rows are converted to float as their stretch is transposed into
   the tile, eight values per load, instead of whole rows beforehand (a
   conversion is exact, so the tile holds the same floats either way). */
UPS_SPECIALISED void ups_resample_rows8_body(const float *const *rows,
                                             const unsigned char *const *rows8, int bytes,
                                             float *const *outs, Py_ssize_t n_out,
                                             Py_ssize_t channels, const Py_ssize_t *offsets,
                                             const float *weights, Py_ssize_t taps,
                                             float *tile, float *block) {
    Py_ssize_t e, r, j0, j1, n, base, lo, hi;
    /* The row pointers in locals: the vector stores below go through a
       type declared may_alias (as every unaligned intrinsic store does),
       so as far as the compiler knows they could change rows[] or
       outs[], and it reloaded all eight pointers after every store. */
    const float *in[8];
    const unsigned char *in8[8];
    float *out[8];
    for (r = 0; r < 8; r++) {
        if (bytes) in8[r] = rows8[r];
        else in[r] = rows[r];
        out[r] = outs[r];
    }
    for (j0 = 0; j0 < n_out; j0 = j1) {
        j1 = j0 + ROW_TILE_PIXELS < n_out ? j0 + ROW_TILE_PIXELS : n_out;
        /* Only the stretch of the rows this block of output pixels reads
           is transposed, so the tile stays small enough for L1 however
           wide the rows are (stretches of neighbouring blocks overlap
           by the filter's width). The tables are sorted (the caller
           checks), so the stretch runs from the block's first tap to
           its last. */
        lo = offsets[j0 * taps];
        hi = offsets[j1 * taps - 1] + channels;
        for (e = lo; e + 8 <= hi; e += 8) {
            ups_v8 v[8];
            for (r = 0; r < 8; r++)
                v[r] = bytes ? ups_v8_load_uint8(in8[r] + e) : ups_v8_loadu(in[r] + e);
            ups_v8_transpose8(v);
            for (r = 0; r < 8; r++) ups_v8_storeu(tile + (e - lo + r) * 8, v[r]);
        }
        for (; e < hi; e++)
            for (r = 0; r < 8; r++)
                tile[(e - lo) * 8 + r] = bytes ? (float)in8[r][e] : in[r][e];
        /* Literal tap and channel counts let their loops unroll. */
        if (taps == 2 && channels == 3)
            ups_tile_pixels(block, tile, lo, j0, j1, 3, offsets, weights, 2);
        else if (taps == 4 && channels == 3)
            ups_tile_pixels(block, tile, lo, j0, j1, 3, offsets, weights, 4);
        else if (taps == 2 && channels == 4)
            ups_tile_pixels(block, tile, lo, j0, j1, 4, offsets, weights, 2);
        else if (taps == 4 && channels == 4)
            ups_tile_pixels(block, tile, lo, j0, j1, 4, offsets, weights, 4);
        else if (taps == 2 && channels == 1)
            ups_tile_pixels(block, tile, lo, j0, j1, 1, offsets, weights, 2);
        else if (taps == 4 && channels == 1)
            ups_tile_pixels(block, tile, lo, j0, j1, 1, offsets, weights, 4);
        else if (taps == 2) ups_tile_pixels(block, tile, lo, j0, j1, channels, offsets, weights, 2);
        else if (taps == 4) ups_tile_pixels(block, tile, lo, j0, j1, channels, offsets, weights, 4);
        else if (channels == 3)
            ups_tile_pixels(block, tile, lo, j0, j1, 3, offsets, weights, taps);
        else ups_tile_pixels(block, tile, lo, j0, j1, channels, offsets, weights, taps);
        n = (j1 - j0) * channels;
        base = j0 * channels;
        for (e = 0; e + 8 <= n; e += 8) {
            ups_v8 v[8];
            for (r = 0; r < 8; r++) v[r] = ups_v8_loadu(block + (e + r) * 8);
            ups_v8_transpose8(v);
            for (r = 0; r < 8; r++) ups_v8_storeu(out[r] + base + e, v[r]);
        }
        for (; e < n; e++)
            for (r = 0; r < 8; r++) out[r][base + e] = block[e * 8 + r];
    }
}
#endif
/* rows[r] and outs[r] (r < 8) are the source and destination rows;
   offsets are element offsets (source pixel times channels). */
static void ups_resample_rows8(const float *const *rows, float *const *outs,
                               Py_ssize_t in_len, Py_ssize_t n_out, Py_ssize_t channels,
                               const Py_ssize_t *offsets, const float *weights,
                               Py_ssize_t taps, float *tile, float *block) {
    (void)in_len;
#if defined(UPS_SIMD)
    ups_resample_rows8_body(rows, NULL, 0, outs, n_out, channels, offsets, weights, taps,
                            tile, block);
#else
    (void)rows; (void)outs; (void)n_out; (void)channels;
    (void)offsets; (void)weights; (void)taps; (void)tile; (void)block;
#endif
}
/* ups_resample_rows8 reading uint8 source rows (the uint8 planar pass, width
   first): the same tiles, products and sums, so the same floats out. */
static void ups_resample_rows8_uint8(const unsigned char *const *rows, float *const *outs,
                                     Py_ssize_t in_len, Py_ssize_t n_out,
                                     Py_ssize_t channels, const Py_ssize_t *offsets,
                                     const float *weights, Py_ssize_t taps, float *tile,
                                     float *block) {
    (void)in_len;
#if defined(UPS_SIMD)
    ups_resample_rows8_body(NULL, rows, 1, outs, n_out, channels, offsets, weights, taps,
                            tile, block);
#else
    (void)rows; (void)outs; (void)n_out; (void)channels;
    (void)offsets; (void)weights; (void)taps; (void)tile; (void)block;
#endif
}
#endif  /* UPSAMPLE_UPS_ROW_TILES_H */
