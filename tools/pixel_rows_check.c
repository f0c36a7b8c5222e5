/* The four-lane RGB and RGBA row loops (ups_three_pixels.h, ups_uint8_pixels.h) against
   the scalar loop's sums, bit for bit, on random arbitrary tables (taps anywhere in the
   row, at offset 0 and at the last pixel) with NaN, infinities and -0.0 among the float
   values: compiled by tools/pixel_rows_check.sh for AArch64 (NEON, run under qemu-user),
   for x86-64 with -mavx2 -mfma and with the baseline SSE2, and with AddressSanitizer
   (the loads and stores one value before a pixel must stay inside the buffers, which
   are allocated to the exact size). Exits 1 when a value differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "ups_uint8_pixels.h"
#include "ups_three_pixels.h"
/* A fixed linear congruential generator: the same cases on every target. */
static unsigned long long state = 12345;
static unsigned rnd(void) { state = state * 6364136223846793005ULL + 1442695040888963407ULL; return (unsigned)(state >> 33); }
static float rndf(void) {
    unsigned r = rnd() % 100;
    if (r == 0) return NAN;
    if (r == 1) return INFINITY;
    if (r == 2) return -INFINITY;
    if (r == 3) return -0.0f;
    return ((float)(rnd() % 2000001) - 1000000.0f) / 1234.5f;
}
int main(void) {
    int trial, bad = 0, checked = 0;
    for (trial = 0; trial < 3000; trial++) {
        Py_ssize_t n_in = 1 + rnd() % 50, n_out = 1 + rnd() % 40, taps = 1 + rnd() % 6, channels = 3 + rnd() % 2;
        Py_ssize_t j, k, c;
        if (trial % 3 == 0) taps = 2; else if (trial % 3 == 1) taps = 4;
        float *srcf = malloc(sizeof(float) * n_in * 3);
        unsigned char *src8 = malloc(n_in * channels);
        Py_ssize_t *off = malloc(sizeof(Py_ssize_t) * n_out * taps);
        float *w = malloc(sizeof(float) * n_out * taps);
        float *a = malloc(sizeof(float) * n_out * channels);
        float *b = malloc(sizeof(float) * n_out * channels);
        for (j = 0; j < n_in * 3; j++) srcf[j] = rndf();
        for (j = 0; j < n_in * channels; j++) src8[j] = rnd() & 255;
        for (j = 0; j < n_out * taps; j++) { off[j] = (rnd() % 5 == 0) ? 0 : (Py_ssize_t)(rnd() % n_in); w[j] = rndf(); if (isnan(w[j]) || isinf(w[j])) w[j] = 0.5f; }
        /* float RGB */
        for (j = 0; j < n_out * taps; j++) off[j] *= 3;
        /* Rows of fewer than 8 pixels are left to the scalar loop (returns 0). */
        int three = ups_pixels_three(a, srcf, n_out, off, w, taps);
        for (j = 0; j < n_out; j++) for (c = 0; c < 3; c++) {
            float acc = w[j * taps] * srcf[off[j * taps] + c];
            for (k = 1; k < taps; k++) acc = acc + w[j * taps + k] * srcf[off[j * taps + k] + c];
            b[j * 3 + c] = acc;
        }
        for (j = 0; three && j < n_out * 3; j++)
            if (memcmp(&a[j], &b[j], 4) && !(isnan(a[j]) && isnan(b[j]))) bad++;
        checked += three;
        /* uint8 RGB / RGBA */
        for (j = 0; j < n_out * taps; j++) off[j] = off[j] / 3 * channels;
        if (!ups_pixels_from_uint8(a, src8, n_out, channels, off, w, taps)) { printf("declined\n"); return 2; }
        for (j = 0; j < n_out; j++) for (c = 0; c < channels; c++) {
            float acc = w[j * taps] * (float)src8[off[j * taps] + c];
            for (k = 1; k < taps; k++) acc = acc + w[j * taps + k] * (float)src8[off[j * taps + k] + c];
            b[j * channels + c] = acc;
        }
        for (j = 0; j < n_out * channels; j++) if (memcmp(&a[j], &b[j], 4) && !(isnan(a[j]) && isnan(b[j]))) bad++;
        free(srcf); free(src8); free(off); free(w); free(a); free(b);
    }
    printf("%s: %d values differ (%d float RGB rows through the vector loop)\n",
           UPS_SIMD_NAME, bad, checked);
    return bad != 0 || checked == 0;
}
