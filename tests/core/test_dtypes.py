"""Dtype promotion: closed-form cases and an exhaustive comparison with Keras 3."""

import itertools

import numpy as np
import pytest

from kerasx import backend
from kerasx.engine import dtypes

NAMES = [d for d in dtypes.ALLOWED_DTYPES if d != "string" and not d.startswith("float8")]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("int8", "uint8", "int16"),
        ("int32", "float32", "float32"),
        ("int32", float, "float32"),
        ("float16", int, "float16"),
        ("bool", int, "int32"),
        ("uint8", int, "uint8"),
        ("bfloat16", "float16", "float32"),
        ("uint32", "int32", "int32"),
        ("float64", "float32", "float64"),  # kerasx keeps an explicit float64
        ("int64", "int32", "int64"),
        ("int64", "float32", "float32"),
    ],
)
def test_closed_form(a, b, expected):
    assert backend.result_type(a, b) == expected


def test_standardize_dtype():
    assert backend.standardize_dtype(np.float32) == "float32"
    assert backend.standardize_dtype(np.dtype("int64")) == "int64"
    assert backend.standardize_dtype("float") == "float32"
    assert backend.standardize_dtype(bool) == "bool"
    with pytest.raises(ValueError, match="Invalid dtype"):
        backend.standardize_dtype("float128")


def test_matches_keras_when_no_64_bit_input():
    """Keras 3 demotes 64-bit types to 32 bits; without 64-bit inputs we must agree exactly."""
    pytest.importorskip("keras")
    from keras import backend as kb

    pool = [n for n in NAMES if not n.endswith("64") and n != "complex128"] + [int, float, bool]
    mismatches = []
    for a, b in itertools.product(pool, pool):
        expected = kb.result_type(a, b)
        got = backend.result_type(a, b)
        if expected != got:
            mismatches.append((a, b, expected, got))
    assert not mismatches
