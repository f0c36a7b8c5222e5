# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Resampling kernels, built with AVX2 and FMA (used only on CPUs that have them)."""

include "_kernels.pxi"
