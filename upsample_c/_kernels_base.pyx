# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Resampling kernels, built for the baseline instruction set."""

include "_kernels.pxi"
