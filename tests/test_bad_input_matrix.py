"""The bad-input matrix: every argument of every public entry point, given wrong
types and values, and inputs of every awkward kind ("never crash, never corrupt").

The three entry points are

* ``upsample(x, scale_factor, mode, align_corners, antialias, *, size, axes, dtype, out,
  num_threads)``                                     written  ``upsample(...)`` below,
* the layer constructor ``Upsample(scale_factor, mode, align_corners, antialias, *, size,
  axes, dtype)``                                     written  ``Upsample(...)``,
* the layer call ``Upsample(...)(x, *, out, num_threads)``  written  ``Upsample(...)(x, ...)``.

Each row of ``TABLE`` is ``(call, expected)`` or ``(call, expected, bug)``:

* ``Raises(Error, word, ...)``: the call raises ``Error`` and its message contains every
  word (the parameter's name and the bad value's repr). A ``Upsample(...)`` row must raise
  in the constructor itself; an ``Upsample(...)(x)`` row may raise in either step.
* ``OK``: a correct result: equal to ``upsample`` called with the same options on
  ``np.ascontiguousarray(x)`` converted to native byte order (``np.array_equal`` for
  nearest and integer results, ``allclose(rtol=1e-6, atol=1e-6)`` otherwise); with
  ``out=`` the result is ``out`` itself. ``Correct(...)`` adds a shape or an extra check.
* ``bug``: a genuine defect of the package, recorded as a strict xfail until it is fixed.

For every row, raising or not, ``x`` (and an ``out`` that is not the result) must come out
unmodified. Test ids are the calls as written in the table.
"""

import copy
import math
from fractions import Fraction

import numpy as np
import pytest

from upsample import Upsample, upsample

SHAPE = (2, 5, 6, 3)  # (batch, height, width, channels): the default input "x"
OUT_2x = (2, 10, 12, 3)  # the result of scale_factor=2 on x


# ---------------------------------------------------------------------------
# THE TABLE
# ---------------------------------------------------------------------------


def table():
    """THE TABLE: one row per call, ``(call, expected)`` or ``(call, expected, bug)``.

    ``x`` names an entry of ``INPUTS`` (below); the helpers are defined after the table.
    """
    return [
        # ---- scale_factor: wrong types -------------------------------------------------------
        (up("2"),                           Raises(TypeError, "scale_factor", "'2'")),
        (new("2"),                          Raises(TypeError, "scale_factor", "'2'")),
        (up(b"2"),                          Raises(TypeError, "scale_factor", "b'2'")),
        (up(True),                          Raises(TypeError, "scale_factor", "True")),
        (new(True),                         Raises(TypeError, "scale_factor", "True")),
        (up(False),                         Raises(TypeError, "scale_factor", "False")),
        (up(np.bool_(True)),                Raises(TypeError, "scale_factor", "True")),
        (up(2 + 1j),                        Raises(TypeError, "scale_factor", "(2+1j)")),
        (new(2 + 0j),                       Raises(TypeError, "scale_factor", "(2+0j)")),
        # NumPy 2 writes np.complex64(2+0j), NumPy 1 (2+0j): the value is in both.
        (up(np.complex64(2)),               Raises(TypeError, "scale_factor", "2+0j")),
        (up({2}),                           Raises(TypeError, "scale_factor", "{2}")),
        (up(np.array(2.0)),                 Raises(TypeError, "scale_factor", "array(2.)")),
        (up(np.array([[2.0, 2.0]])),        Raises(TypeError, "scale_factor", "array([[2., 2.]])")),
        (up((2, "x")),                      Raises(TypeError, "scale_factor", "'x'")),
        (new((2, "x")),                     Raises(TypeError, "scale_factor", "'x'")),
        (up((2, None)),                     Raises(TypeError, "scale_factor", "None")),
        (up((2, True)),                     Raises(TypeError, "scale_factor", "True")),
        (up((2, 1j)),                       Raises(TypeError, "scale_factor", "1j")),
        # ---- scale_factor: missing, or bad values --------------------------------------------
        (up(None),                          Raises(ValueError, "scale_factor", "size", "None")),
        (up(),                              Raises(ValueError, "scale_factor", "size", "None")),
        (new(),                             Raises(ValueError, "scale_factor", "size", "None")),
        (up(float("nan")),                  Raises(ValueError, "scale_factor", "nan")),
        (new(float("nan")),                 Raises(ValueError, "scale_factor", "nan")),
        (up(np.float64("nan")),             Raises(ValueError, "scale_factor", "nan")),
        (up(float("inf")),                  Raises(ValueError, "scale_factor", "inf")),
        (new(float("inf")),                 Raises(ValueError, "scale_factor", "inf")),
        (up(float("-inf")),                 Raises(ValueError, "scale_factor", "-inf")),
        (up(0),                             Raises(ValueError, "scale_factor", "0")),
        (new(0.0),                          Raises(ValueError, "scale_factor", "0.0")),
        (up(-0.0),                          Raises(ValueError, "scale_factor", "-0.0")),
        (up(-2),                            Raises(ValueError, "scale_factor", "-2")),
        (new(-1.5),                         Raises(ValueError, "scale_factor", "-1.5")),
        (up((2, 0)),                        Raises(ValueError, "scale_factor", "0")),
        (up((2, float("nan"))),             Raises(ValueError, "scale_factor", "nan")),
        (up((-1, 2)),                       Raises(ValueError, "scale_factor", "-1")),
        (up(()),                            Raises(ValueError, "scale_factor", "empty")),
        (new(()),                           Raises(ValueError, "scale_factor", "empty")),
        (up([]),                            Raises(ValueError, "scale_factor", "empty")),
        (up(np.array([])),                  Raises(ValueError, "scale_factor", "empty")),
        # ---- scale_factor: wrong length (the layer only knows the rank at the call) ----------
        (up((2,)),                          Raises(ValueError, "scale_factor", "(2.0,)")),
        (up((2, 2, 2)),                     Raises(ValueError, "scale_factor", "(2.0, 2.0, 2.0)")),
        (layer((2, 2, 2)),                  Raises(ValueError, "scale_factor", "(2.0, 2.0, 2.0)")),
        (up(np.array([2.0])),               Raises(ValueError, "scale_factor", "(2.0,)")),
        (up((2, 2), x="x_3d"),              Raises(ValueError, "scale_factor", "(2.0, 2.0)")),
        # ---- scale_factor: too large (refused before anything is allocated) ------------------
        (up(1e300),                         Raises(ValueError, "scale_factor", "1e+300")),
        (layer(1e300),                      Raises(ValueError, "scale_factor", "1e+300")),
        (up((1, 1e300)),                    Raises(ValueError, "scale_factor", "1e+300")),
        (up(1e18),                          Raises(ValueError, "scale_factor")),
        (up((1e10, 1e10)),                  Raises(ValueError, "scale_factor")),
        (up(1e300, mode="cubic"),           Raises(ValueError, "scale_factor", "1e+300")),
        # Python ints and fractions beyond the float range (the message need not spell out
        # all 400 digits, so only the parameter's name is required)
        (up(10**400),                       Raises(ValueError, "scale_factor")),
        (new(10**400),                      Raises(ValueError, "scale_factor")),
        (up(2**1024, mode="linear"),        Raises(ValueError, "scale_factor")),
        (up((2, 10**400)),                  Raises(ValueError, "scale_factor")),
        (up(Fraction(10**400, 3)),          Raises(ValueError, "scale_factor")),
        (up(np.longdouble("1e4000")),       Raises(ValueError, "scale_factor", "1e+4000")),
        (up(range(1, 3)),                   Raises(TypeError, "scale_factor", "range(1, 3)")),
        (up(np.array([2, np.nan])),         Raises(ValueError, "scale_factor", "nan")),
        # 1e6 on 100 x 100 asks for 10**16 elements (36 PiB): an error before any allocation
        (up(1e6, x="x_100x100"),            Raises((ValueError, MemoryError), "100000000")),
        (up(1e6, x="x_100x100", mode="linear"), Raises((ValueError, MemoryError), "100000000")),
        (layer(1e6, x="x_100x100", mode="cubic"), Raises((ValueError, MemoryError), "100000000")),
        # ---- scale_factor: valid unusual forms -----------------------------------------------
        (up(np.float32(2)),                 OK),
        (layer(np.float32(2), mode="linear"),   OK),
        (up(np.int64(3), mode="cubic"),     OK),
        (up(np.float16(1.5), mode="linear"),    OK),
        (up(np.array([2.0, 1.5]), mode="linear"), OK),
        (layer(np.array([2, 3]), mode="cubic"), OK),
        (up([2, 1.5], mode="cubic"),        OK),
        (up((np.float32(0.5), 3), mode="linear"), OK),
        (up(0.1),                           Correct(shape=(2, 0, 0, 3))),  # int(0.1 * 5) == 0
        (up(1e-300, mode="linear"),         Correct(shape=(2, 0, 0, 3))),
        (up(5e-324, mode="cubic", antialias=True), Correct(shape=(2, 0, 0, 3))),
        # ---- mode ----------------------------------------------------------------------------
        (up(2, mode="bilinear"),            Raises(ValueError, "mode", "'bilinear'")),
        (new(2, mode="bicubic"),            Raises(ValueError, "mode", "'bicubic'")),
        (up(2, mode="Linear"),              Raises(ValueError, "mode", "'Linear'")),
        (new(2, mode="NEAREST"),            Raises(ValueError, "mode", "'NEAREST'")),
        (up(2, mode=" linear"),             Raises(ValueError, "mode", "' linear'")),
        (up(2, mode=""),                    Raises(ValueError, "mode", "''")),
        (up(2, mode=None),                  Raises(ValueError, "mode", "None")),
        (new(2, mode=None),                 Raises(ValueError, "mode", "None")),
        (up(2, mode=1),                     Raises(ValueError, "mode", "1")),
        (new(2, mode=0),                    Raises(ValueError, "mode", "0")),
        (up(2, mode=b"linear"),             Raises(ValueError, "mode", "b'linear'")),
        (up(2, mode=["linear"]),            Raises(ValueError, "mode", "['linear']")),
        (up(2, mode=np.str_("linear")),     OK),
        # ---- align_corners / antialias -------------------------------------------------------
        (up(2, mode="linear", align_corners=1),     Raises(TypeError, "align_corners", "1")),
        (new(2, mode="linear", align_corners=1),    Raises(TypeError, "align_corners", "1")),
        (up(2, mode="linear", align_corners=0),     Raises(TypeError, "align_corners", "0")),
        (up(2, mode="cubic", align_corners="yes"),  Raises(TypeError, "align_corners", "'yes'")),
        (new(2, mode="cubic", align_corners="yes"), Raises(TypeError, "align_corners", "'yes'")),
        (up(2, mode="linear", align_corners=None),  Raises(TypeError, "align_corners", "None")),
        (new(2, mode="linear", align_corners=1.0),  Raises(TypeError, "align_corners", "1.0")),
        (up(2, mode="linear", antialias=1),     Raises(TypeError, "antialias", "1")),
        (new(2, mode="linear", antialias=1),    Raises(TypeError, "antialias", "1")),
        (up(0.5, mode="cubic", antialias="yes"),    Raises(TypeError, "antialias", "'yes'")),
        (new(0.5, mode="cubic", antialias="yes"),   Raises(TypeError, "antialias", "'yes'")),
        (up(0.5, mode="linear", antialias=None),    Raises(TypeError, "antialias", "None")),
        (new(0.5, mode="linear", antialias=None),   Raises(TypeError, "antialias", "None")),
        (up(0.5, mode="linear", antialias="False"), Raises(TypeError, "antialias", "'False'")),
        (up(0.5, antialias=True),               Raises(ValueError, "antialias", "nearest")),
        (new(0.5, mode="nearest", antialias=True),  Raises(ValueError, "antialias", "nearest")),
        (up(0.5, mode="linear", align_corners=True, antialias=True),
                                                Raises(ValueError, "antialias", "align_corners")),
        (new(0.5, mode="cubic", align_corners=True, antialias=True),
                                                Raises(ValueError, "antialias", "align_corners")),
        (up(2, mode="linear", align_corners=np.bool_(True)), OK),
        (layer(0.5, mode="cubic", antialias=np.bool_(True)), OK),
        # ---- size ----------------------------------------------------------------------------
        (up(size=0),                        Raises(ValueError, "size", "0")),
        (new(size=0),                       Raises(ValueError, "size", "0")),
        (up(size=-3),                       Raises(ValueError, "size", "-3")),
        (up(size=(4, -2)),                  Raises(ValueError, "size", "-2")),
        (new(size=(0, 4)),                  Raises(ValueError, "size", "0")),
        (up(size=2.5),                      Raises(TypeError, "size", "2.5")),
        (new(size=2.5),                     Raises(TypeError, "size", "2.5")),
        (up(size=8.0),                      Raises(TypeError, "size", "8.0")),
        (up(size=(6, 8.0)),                 Raises(TypeError, "size", "8.0")),
        (up(size=np.float64(6)),            Raises(TypeError, "size", "6.0")),
        (up(size="4"),                      Raises(TypeError, "size", "'4'")),
        (new(size="4"),                     Raises(TypeError, "size", "'4'")),
        (up(size=True),                     Raises(TypeError, "size", "True")),
        (new(size=(4, False)),              Raises(TypeError, "size", "False")),
        (up(size=(4, None)),                Raises(TypeError, "size", "None")),
        (up(size=()),                       Raises(ValueError, "size", "empty")),
        (up(size=(4,)),                     Raises(ValueError, "size", "(4,)")),
        (up(size=(4, 4, 4)),                Raises(ValueError, "size", "(4, 4, 4)")),
        (layer(size=(4, 4, 4)),             Raises(ValueError, "size", "(4, 4, 4)")),
        (up(2, size=4),                     Raises(ValueError, "scale_factor", "size", "2", "4")),
        (new(2, size=4),                    Raises(ValueError, "scale_factor", "size", "2", "4")),
        (up(scale_factor=None, size=None),  Raises(ValueError, "scale_factor", "size", "None")),
        (up(size=2**62),                    Raises(ValueError, "size", str(2**62))),
        (layer(size=2**70),                 Raises(ValueError, "size", str(2**70))),
        (up(size=10**400),                  Raises(ValueError, "size")),
        (layer(size=10**400, mode="linear"),    Raises(ValueError, "size")),
        (up(size=(4, 2**1100)),             Raises(ValueError, "size")),
        (up(size=np.uint64(2**64 - 1)),     Raises(ValueError, "size", str(2**64 - 1))),
        (up(size=(9, 4)),                   OK),
        (up(size=np.int64(9), mode="cubic"),    OK),
        (up(size=np.array([10, 3]), mode="linear"), OK),
        (layer(size=(np.int32(10), 12), mode="linear"), OK),
        # ---- axes ----------------------------------------------------------------------------
        (up(2, axes=(1, 4)),                Raises(ValueError, "axes", "4")),
        (up(2, axes=(1, -5)),               Raises(ValueError, "axes", "-5")),
        (layer(2, axes=(1, 4)),             Raises(ValueError, "axes", "4")),
        (new(2, axes=(1, 70)),              Raises(ValueError, "axes", "70")),
        (up(2, axes=(1, 1)),                Raises(ValueError, "axes", "(1, 1)")),
        (new(2, axes=(2, 2)),               Raises(ValueError, "axes", "(2, 2)")),
        (up(2, axes=(1, -3)),               Raises(ValueError, "axes", "(1, -3)")),  # -3 is 1
        (layer(2, axes=(3, -1)),            Raises(ValueError, "axes", "(3, -1)")),  # -1 is 3
        (up(2, axes=()),                    Raises(TypeError, "axes", "()")),
        (new(2, axes=[]),                   Raises(TypeError, "axes", "[]")),
        (up(2, axes=(1.0, 2)),              Raises(TypeError, "axes", "1.0")),
        (new(2, axes=(1, 2.0)),             Raises(TypeError, "axes", "2.0")),
        (up(2, axes="12"),                  Raises(TypeError, "axes", "'12'")),
        (up(2, axes=(True,)),               Raises(TypeError, "axes", "True")),
        (up(2, axes=True),                  Raises(TypeError, "axes", "True")),
        (new(2, axes=(np.bool_(False), 1)),     Raises(TypeError, "axes", "False")),
        (up(2, axes=(1, None)),             Raises(TypeError, "axes", "None")),
        (up(2, axes=1.5),                   Raises(TypeError, "axes", "1.5")),
        # more axes than scales / sizes, and fewer
        (up((2, 2), axes=(0, 1, 2)),        Raises(ValueError, "scale_factor", "(2.0, 2.0)")),
        (up((2, 2), axes=(1,)),             Raises(ValueError, "scale_factor", "(2.0, 2.0)")),
        (layer((2, 2, 2), axes=(1, 2)),     Raises(ValueError, "scale_factor", "(2.0, 2.0, 2.0)")),
        (up(size=(4, 4), axes=(0, 1, 2)),   Raises(ValueError, "size", "(4, 4)")),
        (up(2, axes=(2, 1), mode="linear"),     OK),
        (up((2, 3), axes=(-2, -3), mode="cubic"), OK),
        (up(2, axes=np.int64(1)),           OK),
        (layer(2, axes=[1, 2], mode="linear"),  OK),
        # ---- dtype ---------------------------------------------------------------------------
        (up(2, mode="linear", dtype=bool),  Raises(ValueError, "dtype", "bool")),
        (layer(2, mode="cubic", dtype=np.bool_), Raises(ValueError, "dtype", "bool")),
        (up(2, dtype=bool),                 Raises(ValueError, "dtype", "bool")),
        (up(2, mode="linear", dtype="U3"),  Raises(ValueError, "dtype", "<U3")),
        (layer(2, mode="linear", dtype="S4"),   Raises(ValueError, "dtype", "S4")),
        (up(2, dtype=str),                  Raises(ValueError, "dtype", "<U0")),
        (up(2, mode="linear", dtype=object),    Raises(ValueError, "dtype", "object")),
        (up(2, dtype="datetime64[s]"),      Raises(ValueError, "dtype", "datetime64[s]")),
        (up(2, mode="cubic", dtype="m8[ns]"),   Raises(ValueError, "dtype", "timedelta64[ns]")),
        (up(2, mode="linear", dtype=[("a", "f4")]), Raises(ValueError, "dtype", "('a', '<f4')")),
        (up(2, mode="linear", dtype="V4"),  Raises(ValueError, "dtype", "V4")),
        (up(2, mode="linear", dtype="not a dtype"), Raises(TypeError, "dtype", "'not a dtype'")),
        (new(2, mode="linear", dtype="not a dtype"), Raises(TypeError, "dtype", "'not a dtype'")),
        (up(2, dtype="float33"),            Raises(TypeError, "dtype", "'float33'")),
        (new(2, dtype="float33"),           Raises(TypeError, "dtype", "'float33'")),
        (up(2, dtype=3),                    Raises(TypeError, "dtype", "3")),
        (new(2, dtype=3.5),                 Raises(TypeError, "dtype", "3.5")),
        (up(2, mode="linear", dtype=np.float32, x="x_c64"),
                                            Raises(ValueError, "dtype", "float32", "imaginary")),
        (up(2, mode="cubic", dtype=np.int16, x="x_c128"),
                                            Raises(ValueError, "dtype", "int16", "imaginary")),
        (up(2, dtype=np.float64, x="x_c64"),
                                            Raises(ValueError, "dtype", "float64", "imaginary")),
        (layer(2, mode="linear", dtype="f4", x="x_c128"),
                                            Raises(ValueError, "dtype", "float32", "imaginary")),
        (up(2, mode="linear", dtype=np.float16), OK),
        (up(2, mode="cubic", dtype=np.uint8),   OK),
        (up(1.5, mode="linear", dtype=np.complex64), OK),
        (up(1.5, dtype=np.int16, x="x_f64"),    OK),
        (up(2, dtype=bool, x="x_bool"),     OK),  # bool is nearest's default on bool input
        (up(2, mode="linear", dtype=_swapped("f4")), OK),
        (up(1.5, mode="cubic", dtype=_swapped("i2")), OK),
        (up(1.5, dtype=np.float32, x="x_swapped_f4"), OK),
        (layer(2, mode="linear", dtype="float64"), OK),
        # ---- out -----------------------------------------------------------------------------
        (up(2, out=out_array("<out (2, 10, 12, 4)>", (2, 10, 12, 4))),
                                            Raises(ValueError, "out", "(2, 10, 12, 4)")),
        (up(2, out=out_array("<out (2, 12, 10, 3)>", (2, 12, 10, 3))),
                                            Raises(ValueError, "out", "(2, 12, 10, 3)")),
        (layer(2, call=dict(out=out_array("<out (10, 12, 3)>", (10, 12, 3)))),
                                            Raises(ValueError, "out", "(10, 12, 3)")),
        (up(2, out=out_array("<out float64>", OUT_2x, np.float64)),
                                            Raises(ValueError, "out", "float64")),
        (up(2, mode="linear", out=out_array("<out float16>", OUT_2x, np.float16)),
                                            Raises(ValueError, "out", "float16")),
        (layer(2, mode="cubic", call=dict(out=out_array("<out int32>", OUT_2x, np.int32))),
                                            Raises(ValueError, "out", "int32")),
        (up(2, out=out_array("<out >f4>", OUT_2x, _swapped("f4"))),
                                            Raises(ValueError, "out", str(_swapped("f4")))),
        (up(2, mode="linear", out=out_array("<read-only out>", OUT_2x, writeable=False)),
                                            Raises(ValueError, "out", "read-only")),
        (layer(2, call=dict(out=out_array("<read-only out>", OUT_2x, writeable=False))),
                                            Raises(ValueError, "out", "read-only")),
        (up(1, out=Lazy("x", lambda x: x)),     Raises(ValueError, "out", "overlaps")),
        (up(1, mode="linear", out=Lazy("x", lambda x: x)), Raises(ValueError, "out", "overlaps")),
        (layer(1, mode="cubic", call=dict(out=Lazy("x", lambda x: x))),
                                            Raises(ValueError, "out", "overlaps")),
        (up(1, x="x_in_buffer", out=Lazy("<x shifted by one column>", lambda x: x.base[:, :, 1:])),
                                            Raises(ValueError, "out", "overlaps")),
        (up(1, x="x_in_buffer", mode="linear",
            out=Lazy("<x shifted by one column>", lambda x: x.base[:, :, 1:])),
                                            Raises(ValueError, "out", "overlaps")),
        (up(1, x="x_in_buffer", mode="cubic",
            out=Lazy("<x reversed>", lambda x: x[:, ::-1])),
                                            Raises(ValueError, "out", "overlaps")),
        (up(2, out=Lazy("<list>", lambda x: np.zeros(OUT_2x, np.float32).tolist())),
                                            Raises(TypeError, "out", "list")),
        (layer(2, call=dict(out=Lazy("<list>", lambda x: np.zeros(OUT_2x, np.float32).tolist()))),
                                            Raises(TypeError, "out", "list")),
        (up(2, out=Lazy("<memoryview>", lambda x: memoryview(np.zeros(OUT_2x, np.float32)))),
                                            Raises(TypeError, "out", "memoryview")),
        (up(2, out=0),                      Raises(TypeError, "out", "int")),
        (new(2, out=out_array("<out>", OUT_2x)), Raises(TypeError, "out")),  # a call argument only
        (up(2, out=out_array("<Fortran out>", OUT_2x, order="F")), OK),
        (up(2, mode="linear", out=out_array("<Fortran out>", OUT_2x, order="F")), OK),
        (layer(2, mode="cubic", call=dict(out=out_array("<Fortran out>", OUT_2x, order="F"))), OK),
        (up(2, mode="linear", out=out_array("<strided out>", OUT_2x, step=2)), OK),
        (up(2, out=out_array("<strided out>", OUT_2x, step=3)), OK),
        (up(2, mode="cubic", dtype=np.uint8, out=out_array("<uint8 out>", OUT_2x, np.uint8)), OK),
        (up(1, x="x_even_channels", mode="linear",
            out=Lazy("<the odd channels of x's buffer>", lambda x: x.base[..., 1::2])), OK),
        (up(2, x="x_swapped_f4", out=out_array("<>f4 out>", OUT_2x, _swapped("f4"))), OK),
        (up(2, x="x_batch0", out=out_array("<empty out>", (0, 10, 12, 3))), OK),
        # ---- num_threads ---------------------------------------------------------------------
        (up(2, num_threads=0),              Raises(ValueError, "num_threads", "0")),
        (layer(2, call=dict(num_threads=0)),    Raises(ValueError, "num_threads", "0")),
        (up(2, mode="linear", num_threads=-1),  Raises(ValueError, "num_threads", "-1")),
        (layer(2, mode="cubic", call=dict(num_threads=-4)),
                                            Raises(ValueError, "num_threads", "-4")),
        (up(2, num_threads=1.5),            Raises(TypeError, "num_threads", "1.5")),
        (up(2, num_threads=2.0),            Raises(TypeError, "num_threads", "2.0")),
        (layer(2, call=dict(num_threads=2.0)),  Raises(TypeError, "num_threads", "2.0")),
        (up(2, num_threads="2"),            Raises(TypeError, "num_threads", "'2'")),
        (layer(2, call=dict(num_threads="2")),  Raises(TypeError, "num_threads", "'2'")),
        (up(2, num_threads=True),           Raises(TypeError, "num_threads", "True")),
        (layer(2, call=dict(num_threads=False)), Raises(TypeError, "num_threads", "False")),
        (up(2, num_threads=float("nan")),   Raises(TypeError, "num_threads", "nan")),
        (new(2, num_threads=2),             Raises(TypeError, "num_threads")),  # call-only
        # beyond a C int: clamped like any other large count, or refused by name
        (up(2, num_threads=2**31),          Either(Raises(ValueError, "num_threads", str(2**31)))),
        (layer(2, mode="linear", call=dict(num_threads=2**63)),
                                            Either(Raises(ValueError, "num_threads", str(2**63)))),
        (up(2, mode="cubic", num_threads=np.uint64(2**64 - 1)),
                                            Either(Raises(ValueError, "num_threads",
                                                          str(2**64 - 1)))),
        (up(2, mode="cubic", num_threads=10**6), OK),
        (up(2, mode="cubic", num_threads=1),    OK),
        (up(2, mode="linear", num_threads=2),   OK),
        (up(1.5, num_threads=64),           OK),
        (layer(2, mode="cubic", call=dict(num_threads=64)), OK),
        (up(2, mode="linear", num_threads=np.int64(2)), OK),
        (up(2, mode="linear", num_threads=None), OK),
        # ---- unknown keywords, positional misuse ---------------------------------------------
        (up(scale=2),                       Raises(TypeError, "scale")),
        (up(2, "linear", False, False, 4),  Raises(TypeError, "positional")),
        (layer(2, call=dict(mode="linear")),    Raises(TypeError, "mode")),
        # ---- x: dimensions -------------------------------------------------------------------
        (up(2, x="x_0d"),                   Raises(ValueError, "x", "0 dimension")),
        (up(2, x="x_0d", axes=(0,)),        Raises(ValueError, "axes", "0")),
        (up(2, x="x_1d"),                   Raises(ValueError, "x", "1 dimension")),
        (layer(2, x="x_1d", mode="linear"),     Raises(ValueError, "x", "1 dimension")),
        (up(2, x="x_2d"),                   Raises(ValueError, "x", "2 dimension")),
        (layer(2, x="x_2d", mode="cubic"),  Raises(ValueError, "x", "2 dimension")),
        (up(2.5, x="x_1d", axes=(0,)),      Correct(shape=(17,))),
        (up(2.5, x="x_1d", axes=0, mode="linear"), Correct(shape=(17,))),
        (up((2, 1.5), x="x_2d", axes=(0, 1), mode="cubic"), Correct(shape=(10, 9))),
        (layer(2, x="x_2d", axes=(-2, -1), mode="linear"), Correct(shape=(10, 12))),
        (up(2, x="x_3d", mode="cubic"),     Correct(shape=(2, 14, 3))),
        (up((1.5, 2, 0.5), x="x_5d", mode="linear"), Correct(shape=(2, 4, 8, 2, 2))),
        # ---- x: zero-length axes (empty results of the right shape) --------------------------
        *[(up(2, x="x_batch0", **c), Correct(shape=(0, 10, 12, 3))) for c in MODE_CASES],
        *[(up(2, x="x_channels0", **c), Correct(shape=(2, 10, 12, 0))) for c in MODE_CASES],
        *[(up(2, x="x_height0", **c), Correct(shape=(2, 0, 12, 3))) for c in MODE_CASES],
        *[(up(2, x="x_width0", **c), Correct(shape=(2, 10, 0, 3))) for c in MODE_CASES],
        (up(0.5, x="x_height0", mode="linear", antialias=True), Correct(shape=(2, 0, 3, 3))),
        (layer(2, x="x_batch0", mode="cubic"),  Correct(shape=(0, 10, 12, 3))),
        (up(size=(4, 7), x="x_batch0", mode="linear"), Correct(shape=(0, 4, 7, 3))),
        (up(size=(4, 7), x="x_channels0", mode="cubic"), Correct(shape=(2, 4, 7, 0))),
        # size= cannot give a non-empty axis from an empty one: there is nothing to sample
        (up(size=(3, 6), x="x_height0"),    Raises(ValueError, "size", "(3, 6)")),
        (up(size=(3, 8), x="x_height0"),    Raises(ValueError, "size", "(3, 8)")),
        (layer(size=(3, 8), x="x_width0"),  Raises(ValueError, "size", "(3, 8)")),
        (up(size=(3, 8), x="x_height0", mode="linear"),
                                            Raises(ValueError, "size", "(3, 8)")),
        (layer(size=(3, 8), x="x_width0", mode="cubic"),
                                            Raises(ValueError, "size", "(3, 8)")),
        (up(size=(3, 8), x="x_width0", mode="linear", antialias=True),
                                            Raises(ValueError, "size", "(3, 8)")),
        # ---- x: non-numeric dtypes -----------------------------------------------------------
        (up(2, x="x_object"),               Raises(TypeError, "x", "dtype object")),
        (layer(2, x="x_object", mode="linear"), Raises(TypeError, "x", "dtype object")),
        (up(2, x="x_str"),                  Raises(TypeError, "x", "dtype <U1")),
        (up(2, x="x_bytes", mode="linear"),     Raises(TypeError, "x", "dtype |S1")),
        (up(2, x="x_struct"),               Raises(TypeError, "x",
                                                   "dtype [('a', '<f4'), ('b', '<i4')]")),
        (up(2, x="x_datetime64"),           Raises(TypeError, "x", "dtype datetime64[s]")),
        (layer(2, x="x_datetime64", mode="cubic"), Raises(TypeError, "x", "dtype datetime64[s]")),
        (up(2, x="x_timedelta64", mode="linear"), Raises(TypeError, "x", "dtype timedelta64[s]")),
        (up(2, x="x_void"),                 Raises(TypeError, "x", "dtype |V4")),
        (up(2, x="list_of_str"),            Raises(TypeError, "x", "dtype <U1")),
        (up(2, x="None"),                   Raises(TypeError, "x", "dtype object")),
        (up(2, x="dict"),                   Raises(TypeError, "x", "dtype object")),
        (up(2, x="list_of_bigints"),        Raises(TypeError, "x", "dtype object")),
        (up(2, x="str"),                    Raises(TypeError, "x", "str", "'abc'")),
        (layer(2, x="bytes"),               Raises(TypeError, "x", "bytes", "b'abc'")),
        (up(2, x="list_ragged"),            Raises(ValueError, "x")),
        # ---- x: not arrays -------------------------------------------------------------------
        (up(2, x="list", mode="linear"),    OK),
        (layer(1.5, x="list_of_ints", mode="cubic"), OK),
        (up(2, x="list_of_ints"),           OK),
        (up(2, x="memoryview", mode="cubic"),   OK),
        (up(2, x="memoryview_strided", mode="linear"), OK),
        (up(2, x="memoryview_bytes"),       Raises(ValueError, "x", "1 dimension")),
        (up(2, x="scalar_float"),           Raises(ValueError, "x", "0 dimension")),
        (layer(2, x="scalar_float"),        Raises(ValueError, "x", "0 dimension")),
        # ---- x: complex (valid: real and imaginary parts resampled separately) ---------------
        (up(1.5, x="x_c64"),                OK),
        (up(1.7, x="x_c64", mode="linear"),     COMPLEX_PARTS),
        (up(0.6, x="x_c128", mode="cubic"),     COMPLEX_PARTS),
        (up(0.45, x="x_c64", mode="cubic", antialias=True), COMPLEX_PARTS),
        (layer(2.5, x="x_c128", mode="linear", align_corners=True), COMPLEX_PARTS),
        (up(2, x="x_c64", mode="cubic", dtype=np.complex128), COMPLEX_PARTS),
        # ---- x: awkward dtypes, byte orders and memory layouts, every mode -------------------
        *[row for name in ("x_swapped_f4", "x_swapped_f8", "x_swapped_f2", "x_swapped_i2",
                           "x_swapped_u2", "x_swapped_i8", "x_swapped_c8", "x_negative_strides",
                           "x_zero_strides", "x_fortran", "x_transposed", "x_readonly",
                           "x_unaligned_f4", "x_unaligned_f8", "x_unaligned_swapped_f4",
                           "x_unaligned_i2", "x_unaligned_c8", "x_f64", "x_i16", "x_u8", "x_bool",
                           "x_longdouble", "x_clongdouble")
          for row in every_mode(name)],
        (layer(2, x="x_swapped_f4", mode="cubic"),   OK),
        (layer(0.5, x="x_unaligned_f8", mode="linear", antialias=True), OK),
        (layer(1.5, x="x_negative_strides"),          OK),
        (up(2, x="x_u8", mode="linear", dtype=np.uint8),  OK),
        (up(2, x="x_unaligned_i2", mode="cubic", dtype=np.int16), OK),
        (up(2, x="x_swapped_u2", mode="linear", dtype=np.uint16), OK),
        (up((2, 1.5), x="x_2d_fortran", axes=(0, 1), mode="cubic"), OK),
        (up(2, x="x_fortran", axes=(3, 1), mode="linear"),  OK),
        (up(1.5, x="x_zero_strides", axes=(0, 2), mode="linear"), OK),
    ]


# ---------------------------------------------------------------------------
# How the table is written: calls, expectations, known bugs
# ---------------------------------------------------------------------------


def _show(value):
    """repr, except that huge Python ints are written as powers (they make the test ids)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**20:
        for base in (2, 10):
            exponent = round(math.log(abs(value), base))
            if base**exponent == abs(value):
                return f"{'-' if value < 0 else ''}{base}**{exponent}"
    if isinstance(value, Fraction):
        return f"Fraction({_show(value.numerator)}, {_show(value.denominator)})"
    if isinstance(value, tuple):
        return f"({', '.join(map(_show, value))}{',' if len(value) == 1 else ''})"
    if isinstance(value, np.generic):
        # NumPy 1 writes np.float64(2.0) as 2.0, the same as the Python float.
        return f"np.{type(value).__name__}({value.item()!r})"
    return repr(value)


def _arguments(args, kwargs):
    return [_show(a) for a in args] + [f"{k}={_show(v)}" for k, v in kwargs.items()]


class Call:
    """One call of an entry point on a named input; repr is the call as written."""

    def __init__(self, entry, x, args, kwargs, call_kwargs=None):
        self.entry, self.x, self.args, self.kwargs = entry, x, args, kwargs
        self.call_kwargs = call_kwargs or {}

    def __repr__(self):
        if self.entry == "upsample":
            return f"upsample({', '.join([self.x] + _arguments(self.args, self.kwargs))})"
        text = f"Upsample({', '.join(_arguments(self.args, self.kwargs))})"
        if self.entry == "layer":
            text += f"({', '.join([self.x] + _arguments((), self.call_kwargs))})"
        return text

    def resolve(self, x):
        """The keyword arguments with every ``Lazy`` value built (they may depend on x)."""
        kwargs = {k: v.build(x) if isinstance(v, Lazy) else v for k, v in self.kwargs.items()}
        call_kwargs = {k: v.build(x) if isinstance(v, Lazy) else v
                       for k, v in self.call_kwargs.items()}
        return kwargs, call_kwargs

    def run(self, x, kwargs, call_kwargs):
        if self.entry == "upsample":
            return upsample(x, *self.args, **kwargs)
        layer = Upsample(*self.args, **kwargs)
        if self.entry == "Upsample":
            return layer
        return layer(x, **call_kwargs)

    def reference(self, x, kwargs):
        """``upsample`` with the same options on the contiguous native-order copy of x."""
        options = {k: v for k, v in kwargs.items() if k not in ("out", "num_threads")}
        if options.get("dtype") is not None:
            options["dtype"] = np.dtype(options["dtype"]).newbyteorder("=")
        return upsample(native(x), *self.args, **options)


def up(*args, x="x", **kwargs):
    """``upsample(x, *args, **kwargs)``."""
    return Call("upsample", x, args, kwargs)


def new(*args, **kwargs):
    """``Upsample(*args, **kwargs)`` alone: the constructor must raise."""
    return Call("Upsample", None, args, kwargs)


def layer(*args, x="x", call=None, **kwargs):
    """``Upsample(*args, **kwargs)(x, **call)``."""
    return Call("layer", x, args, kwargs, call)


class Lazy:
    """An argument built per test from x (``out=`` arrays); repr is its description."""

    def __init__(self, label, build):
        self.label, self.build = label, build

    def __repr__(self):
        return self.label


def out_array(label, shape, dtype=np.float32, order="C", writeable=True, step=None):
    """An ``out=`` array, pre-filled with a sentinel."""

    def build(x):
        if step is None:
            out = np.full(shape, 7, dtype=dtype, order=order)
        else:  # every step-th element of a wider buffer along the width axis
            wide = list(shape)
            wide[2] *= step
            out = np.full(wide, 7, dtype=dtype)[:, :, ::step]
        out.flags.writeable = writeable
        return out

    return Lazy(label, build)


class Raises:
    def __init__(self, error, *words):
        self.error, self.words = error, words

    def __repr__(self):
        errors = self.error if isinstance(self.error, tuple) else (self.error,)
        return f"raises {' or '.join(e.__name__ for e in errors)}"


class Correct:
    """A correct result; also ``shape`` when given, and ``check(call, x, kwargs, result)``."""

    def __init__(self, shape=None, check=None):
        self.shape, self.check = shape, check

    def __repr__(self):
        return "correct result"


OK = Correct()


class Either:
    """Unspecified which: a correct result, or the given ``Raises``."""

    def __init__(self, raises):
        self.raises = raises

    def __repr__(self):
        return f"correct result or {self.raises!r}"


def native(x):
    """``x`` as a C-contiguous array in native byte order (the reference input)."""
    array = np.ascontiguousarray(np.asarray(x))
    return array.astype(array.dtype.newbyteorder("="))


def _complex_parts(call, x, kwargs, result):
    """The result equals the real and imaginary parts resampled separately."""
    options = {k: v for k, v in kwargs.items() if k not in ("out", "num_threads", "dtype")}
    array = native(x)
    if kwargs.get("dtype") is not None:  # the parts in the matching real dtype
        array = array.astype(kwargs["dtype"])
    real = upsample(np.ascontiguousarray(array.real), *call.args, **options)
    imag = upsample(np.ascontiguousarray(array.imag), *call.args, **options)
    np.testing.assert_allclose(result.real, real, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(result.imag, imag, rtol=1e-6, atol=1e-6)


COMPLEX_PARTS = Correct(check=_complex_parts)


# The modes, flags and scales each awkward input is checked with.
MODE_CASES = [
    dict(mode="nearest"),
    dict(mode="linear"),
    dict(mode="cubic"),
    dict(mode="linear", align_corners=True),
    dict(mode="cubic", align_corners=True),
]
SCALES = {"nearest": (2, 1.5), "linear": (1.7, 0.6), "cubic": (0.5, 2.5)}


def every_mode(name):
    """``upsample(name, ...)`` for every mode (and antialiased downscaling), each OK."""
    rows = [(up(SCALES[c["mode"]], x=name, **c), OK) for c in MODE_CASES]
    rows += [(up((0.45, 0.7), x=name, mode=m, antialias=True), OK) for m in ("linear", "cubic")]
    return rows


def bug(reason, raises):
    """A known defect: the row fails (with ``raises``) until the package is fixed."""
    return pytest.mark.xfail(strict=True, reason=reason, raises=raises)


DID_NOT_RAISE = pytest.fail.Exception  # what pytest.raises raises when nothing is raised


# (No known bugs: every row that once needed a bug marker now passes.)

# ---------------------------------------------------------------------------
# Inputs: each name builds a fresh value, so that every row checks its own x.
# ---------------------------------------------------------------------------


def _values(shape=SHAPE, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _unaligned(dtype, shape=SHAPE):
    """A view at offset 1 of a bytes buffer: misaligned for every multi-byte dtype."""
    dtype = np.dtype(dtype)
    values = _values(shape)
    if dtype.kind == "c":
        values = values + 1j * _values(shape, seed=1)
    buffer = bytearray(int(np.prod(shape)) * dtype.itemsize + 1)
    view = np.frombuffer(buffer, dtype=dtype, offset=1).reshape(shape)
    view[...] = values
    assert not view.flags.aligned
    return view


def _readonly():
    x = _values().astype(np.float32)
    x.flags.writeable = False
    return x


def _inside(big_shape, index):
    """A view of a larger buffer; ``x.base`` is the buffer (for the out= overlap rows)."""
    big = _values(big_shape).astype(np.float32)
    return big[index]


def _swapped(dtype):
    """``dtype`` in the byte order that is NOT this machine's (``>`` on x86)."""
    return np.dtype(dtype).newbyteorder("S")


INPUTS = {
    "x": lambda: _values().astype(np.float32),
    "x_f64": lambda: _values(),
    "x_i16": lambda: (_values() * 1000).astype(np.int16),
    "x_u8": lambda: (np.abs(_values()) * 80).astype(np.uint8),
    "x_bool": lambda: _values() > 0,
    "x_longdouble": lambda: _values().astype(np.longdouble),
    "x_clongdouble": lambda: (_values() + 1j * _values(seed=1)).astype(np.clongdouble),
    # complex: valid, resampled as real and imaginary parts
    "x_c64": lambda: (_values() + 1j * _values(seed=1)).astype(np.complex64),
    "x_c128": lambda: _values() + 1j * _values(seed=1),
    # non-native byte order
    "x_swapped_f4": lambda: _values().astype(_swapped("f4")),
    "x_swapped_f8": lambda: _values().astype(_swapped("f8")),
    "x_swapped_f2": lambda: _values().astype(_swapped("f2")),
    "x_swapped_i2": lambda: (_values() * 1000).astype(_swapped("i2")),
    "x_swapped_u2": lambda: (np.abs(_values()) * 1000).astype(_swapped("u2")),
    "x_swapped_i8": lambda: (_values() * 1e12).astype(_swapped("i8")),
    "x_swapped_c8": lambda: (_values() + 1j * _values(seed=1)).astype(_swapped("c8")),
    # odd memory layouts
    "x_negative_strides":
        lambda: _values((2, 10, 12, 3)).astype(np.float32)[::-1, ::-2, ::-2, ::-1],
    "x_zero_strides": lambda: np.broadcast_to(_values((1, 1, 6, 1)).astype(np.float32), SHAPE),
    "x_fortran": lambda: np.asfortranarray(_values().astype(np.float32)),
    "x_transposed": lambda: _values((3, 6, 5, 2)).astype(np.float32).T,
    "x_readonly": _readonly,
    "x_unaligned_f4": lambda: _unaligned("<f4"),
    "x_unaligned_f8": lambda: _unaligned("<f8"),
    "x_unaligned_swapped_f4": lambda: _unaligned(_swapped("f4")),
    "x_unaligned_i2": lambda: _unaligned("<i2"),
    "x_unaligned_c8": lambda: _unaligned("<c8"),
    # x is a view into a larger buffer (out= may or may not overlap it)
    "x_in_buffer": lambda: _inside((2, 5, 7, 3), np.s_[:, :, :6]),
    "x_even_channels": lambda: _inside((2, 5, 6, 6), np.s_[..., 0::2]),
    # dimensions
    "x_0d": lambda: np.full((), 1.5, np.float32),
    "x_1d": lambda: _values((7,)).astype(np.float32),
    "x_2d": lambda: _values((5, 6)).astype(np.float32),
    "x_2d_fortran": lambda: np.asfortranarray(_values((5, 6)).astype(np.float32)),
    "x_3d": lambda: _values((2, 7, 3)).astype(np.float32),
    "x_5d": lambda: _values((2, 3, 4, 5, 2)).astype(np.float32),
    "x_100x100": lambda: np.zeros((1, 100, 100, 1), np.float32),
    # zero-length axes
    "x_batch0": lambda: np.zeros((0, 5, 6, 3), np.float32),
    "x_channels0": lambda: np.zeros((2, 5, 6, 0), np.float32),
    "x_height0": lambda: np.zeros((2, 0, 6, 3), np.float32),
    "x_width0": lambda: np.zeros((2, 5, 0, 3), np.float32),
    # non-numeric dtypes
    "x_object": lambda: np.full((1, 2, 1), 1.0, dtype=object),
    "x_str": lambda: np.full((1, 2, 1), "a"),
    "x_bytes": lambda: np.full((1, 2, 1), b"a"),
    "x_struct": lambda: np.zeros((1, 2, 1), dtype=[("a", "f4"), ("b", "i4")]),
    "x_datetime64": lambda: np.zeros((1, 2, 1), dtype="datetime64[s]"),
    "x_timedelta64": lambda: np.zeros((1, 2, 1), dtype="timedelta64[s]"),
    "x_void": lambda: np.zeros((1, 2, 1), dtype="V4"),
    # not arrays
    "list": lambda: _values((1, 3, 4, 2)).round(3).tolist(),
    "list_of_ints": lambda: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
    "list_ragged": lambda: [[[1.0], [2.0, 3.0]]],
    "list_of_str": lambda: [[["a"], ["b"]]],
    "list_of_bigints": lambda: [[[2**70], [1]]],
    "dict": lambda: {"x": 1},
    "memoryview": lambda: memoryview(_values().astype(np.float32)),
    "memoryview_strided": lambda: memoryview(_values((2, 10, 6, 3)).astype(np.float32)[:, ::-2]),
    "memoryview_bytes": lambda: memoryview(b"abcd"),
    "scalar_float": lambda: 3.0,
    "str": lambda: "abc",
    "bytes": lambda: b"abc",
    "None": lambda: None,
}


TABLE = table()
# Spelled the same twice would hide a row.
_IDS = [repr(row[0]) for row in TABLE]
assert len(set(_IDS)) == len(_IDS), [i for i in _IDS if _IDS.count(i) > 1]


def _param(row):
    call, expected, *marks = row
    return pytest.param(call, expected, id=f"{call!r} -> {expected!r}", marks=marks)


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------


def _snapshot(value):
    """Something that compares equal to ``_snapshot(value)`` taken later iff value is unchanged."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return value.dtype, value.shape, [id(v) for v in value.ravel()]
        return value.dtype, value.shape, value.strides, value.tobytes()
    if isinstance(value, memoryview):
        return value.tobytes()
    return copy.deepcopy(value)


def _assert_same_values(result, expected, exact):
    assert result.shape == expected.shape
    assert result.dtype.newbyteorder("=") == expected.dtype.newbyteorder("="), (
        result.dtype, expected.dtype)
    if exact or expected.dtype.kind in "biu":
        assert np.array_equal(result, expected, equal_nan=expected.dtype.kind in "fc")
    else:
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)


def _check_message(expected, error):
    message = str(error)
    for word in expected.words:
        assert word in message, f"{word!r} not in the message {message!r}"


def _check_result(call, x, kwargs, out, expected, result):
    assert isinstance(result, np.ndarray)
    mode = kwargs.get("mode", call.args[1] if len(call.args) > 1 else "nearest")
    reference = call.reference(x, kwargs)
    _assert_same_values(result, reference, exact=mode == "nearest")
    if out is not None:
        assert result is out
    if expected.shape is not None:
        assert result.shape == expected.shape
    if expected.check is not None:
        expected.check(call, x, kwargs, result)


@pytest.mark.parametrize("call, expected", [_param(row) for row in TABLE])
def test_bad_input_matrix(call, expected):
    x = INPUTS[call.x]() if call.x is not None else None
    kwargs, call_kwargs = call.resolve(x)
    out = kwargs.get("out", call_kwargs.get("out"))
    # A rejected out= must not be written to either (an accepted one is the result).
    watched = [x] + ([out] if isinstance(out, (np.ndarray, list, memoryview))
                     and isinstance(expected, Raises) else [])
    before = [_snapshot(value) for value in watched]

    if isinstance(expected, Raises):
        with pytest.raises(expected.error) as info:
            call.run(x, kwargs, call_kwargs)
        _check_message(expected, info.value)
    elif isinstance(expected, Either):
        try:
            result = call.run(x, kwargs, call_kwargs)
        except expected.raises.error as error:
            _check_message(expected.raises, error)
        else:
            _check_result(call, x, kwargs, out, OK, result)
    else:
        result = call.run(x, kwargs, call_kwargs)
        _check_result(call, x, kwargs, out, expected, result)

    after = [_snapshot(value) for value in watched]
    for old, new_ in zip(before, after):
        assert old == new_, "the input (or a rejected out=) was modified"
