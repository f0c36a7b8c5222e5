"""The same bits on every build and CPU: every case of reference_cases.py, computed by the
build that runs these tests, must equal the stored outputs of the AVX2 build
(tests/data/references.npz, written by tools/make_references.py) bit for bit, every NaN
counted as the same NaN (see reference_cases.canonical_nans).

In CI this runs on the AVX2 build, on the baseline build (UPSAMPLE_KERNELS=base) and on
arm64. A failure names the case (its call) and the first elements that differ, with their
bits and their distance in units in the last place.
"""

import json
import os

import numpy as np
import pytest

import reference_cases

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "references.npz")
CASES = reference_cases.all_cases()


@pytest.fixture(scope="module")
def stored():
    """(summaries by case name, the npz file)."""
    if not os.path.exists(DATA):
        pytest.fail(f"{DATA} is missing: it ships with the tests (tools/make_references.py "
                    f"writes it)")
    data = np.load(DATA, allow_pickle=False)
    meta = json.loads(data["meta"].tobytes().decode())
    yield meta, data
    data.close()


def test_references_are_of_these_cases(stored):
    """The stored file was made from this list of cases (else regenerate it)."""
    meta, _ = stored
    assert meta["calls"] == CASES, (
        "tests/data/references.npz was made from another list of cases than "
        "tests/reference_cases.py: run tools/make_references.py with the AVX2 build")


def _ulps(a, b):
    """Distance in units in the last place between floats of one dtype (elementwise)."""
    a = np.asarray(a)
    if a.dtype.kind == "c":
        a, b = a.view(a.real.dtype), np.asarray(b).view(a.real.dtype)
    signed = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]

    def ordered(values):
        bits = np.ascontiguousarray(values).view(signed).astype(np.int64)
        # Negative floats count down from zero, so that the integers are in float order.
        return np.where(bits < 0, np.iinfo(signed).min - bits, bits)

    return np.abs(ordered(a) - ordered(b))


def _describe(case, expected, found, positions):
    """A failure message: the call, how many elements differ and the first few."""
    expected = reference_cases.canonical_nans(expected).reshape(-1)
    found = reference_cases.canonical_nans(found).reshape(-1)
    stored_bytes = expected.view(np.uint8).reshape(expected.size, -1)
    found_bytes = found.view(np.uint8).reshape(found.size, -1)
    differ = np.nonzero(np.any(stored_bytes != found_bytes, axis=1))[0]
    kind = "elements" if positions is None else "sampled elements"
    lines = [f"case {case['name']}: {json.dumps(case)}",
             f"{differ.size} of {expected.size} {kind} differ"]
    if differ.size and expected.dtype.kind in "fc":
        lines.append(f"largest distance {int(_ulps(expected[differ], found[differ]).max())} ulp")
    for i in differ[:5]:
        where = int(i) if positions is None else int(positions[i])
        lines.append(f"  flat index {where}: stored {expected[i]!r} ({_bits(expected[i:i + 1])}), "
                     f"computed {found[i]!r} ({_bits(found[i:i + 1])})")
    return "\n".join(lines)


def _bits(element):
    """One element's bits in hex, most significant first (each part of a complex)."""
    parts = element.view(element.real.dtype) if element.dtype.kind == "c" else element
    width = parts.dtype.itemsize
    words = parts.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[width])
    return " ".join(f"0x{int(word):0{2 * width}x}" for word in words)


@pytest.mark.parametrize("number", range(len(CASES)), ids=[case["name"] for case in CASES])
def test_same_bits_as_the_references(stored, number):
    meta, data = stored
    case = CASES[number]
    summary = meta["cases"][number]
    assert summary["name"] == case["name"]
    array, result = reference_cases.run_case(case)
    assert reference_cases.digest(array) == summary["input"], (
        f"case {case['name']}: the input differs from the one the references were made "
        f"from (reference_cases.make_input changed?), not a kernel")
    assert (result.dtype.str, list(result.shape)) == (summary["dtype"], summary["shape"]), (
        f"case {case['name']}: result {result.dtype} {result.shape}, stored "
        f"{summary['dtype']} {summary['shape']}")
    if reference_cases.digest(result) == summary["digest"]:
        return
    kept = data[f"case{number:04d}"]
    flat = np.ascontiguousarray(result).reshape(-1)
    positions = None
    if not summary["whole"]:
        positions = reference_cases.sample_positions(flat.size)
        flat = flat[positions]
    pytest.fail(_describe(case, kept, flat, positions))


def test_the_comparison_sees_one_ulp_and_the_sign_of_zero():
    """The digest tells apart results one ulp apart and +0.0 from -0.0, and not NaNs of
    other signs: what the test above relies on."""
    values = np.array([1.0, 0.0, np.nan], np.float32)
    nudged = values.copy()
    nudged[0] = np.nextafter(np.float32(1.0), np.float32(2.0))
    negative_zero = values.copy()
    negative_zero[1] = -0.0
    other_nan = values.copy()
    other_nan.view(np.uint32)[2] = 0xFFC00001
    digest = reference_cases.digest
    assert digest(nudged) != digest(values)
    assert digest(negative_zero) != digest(values)
    assert digest(other_nan) == digest(values)
    assert int(_ulps(values[:1], nudged[:1])[0]) == 1
    message = _describe({"name": "x"}, values, nudged, None)
    assert "1 of 3 elements differ" in message and "(0x3f800000), computed" in message
    assert "(0x3f800001)" in message and "largest distance 1 ulp" in message
