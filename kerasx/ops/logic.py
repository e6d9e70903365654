"""Comparisons, closeness and membership tests, predicates and logical ops.

This module is the entry point of the logic family: it re-exports the ops of its siblings, so
importing it registers them all: `logic_bitwise` (bitwise ops, gcd/lcm), `logic_rounding`
(sign, floor, ceil, trunc, round) and `logic_select` (`where`/`select` and bucketing).

Almost every op of the family is piecewise constant or returns booleans / integers, so they
are declared ``nondiff=True``: autodiff treats their outputs as constants (zero gradient, as
in JAX). The exceptions are `where` (differentiable with respect to `x1` and `x2`) and
`select` (a composite of `where`, differentiable with respect to the choices and the
default).

Families of ops sharing one signature are declared through small stub factories (in
`_logic_common`) so each op still has its own name, signature and docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, broadcast_shapes, same_shape_rule
from kerasx.ops import logic_bitwise as _bitwise
from kerasx.ops import logic_rounding as _rounding
from kerasx.ops import logic_select as _select
from kerasx.ops._helpers import Sample, rand_bool, rand_int, randn
from kerasx.ops._logic_common import _binary_doc, _stub_x, _stub_x1x2, _unary_doc
from kerasx.ops.logic_bitwise import *  # noqa: F403
from kerasx.ops.logic_rounding import *  # noqa: F403
from kerasx.ops.logic_select import *  # noqa: F403

# ---------------------------------------------------------------------------- samples


def _with_ties(rng: Any, *shape: int) -> tuple[np.ndarray, np.ndarray]:
    a = randn(rng, *shape)
    b = np.where(rng.random(shape) < 0.4, a, randn(rng, *shape))
    return a, b


def _compare_samples(rng: Any) -> list:
    a, b = _with_ties(rng, 2, 3)
    return [
        Sample((a, b)),
        Sample((randn(rng, 4, 1, 3), randn(rng, 2, 1))),
        Sample((rand_int(rng, 2, 3, low=-3, high=3), rand_int(rng, 3, low=-3, high=3))),
        Sample((np.array([-1.0, 0.5, 2.0]), 0.5)),
    ]


def _logical_samples(rng: Any) -> list:
    return [
        Sample((rand_bool(rng, 2, 3), rand_bool(rng, 2, 3))),
        Sample((rand_bool(rng, 2, 3), rand_bool(rng, 3))),
        Sample((np.array([0.0, 1.5, -2.0, 0.0]), np.array([1.0, 0.0, 3.0, 0.0]))),
        Sample((rand_int(rng, 2, 2, low=0, high=2), True)),
    ]


def _special_values() -> np.ndarray:
    return np.array([[-np.inf, -1.5, -0.0, 0.0], [2.5, np.inf, np.nan, 1e30]])


def _predicate_samples(rng: Any) -> list:
    return [
        Sample((_special_values(),)),
        Sample((randn(rng, 5),)),
        Sample((rand_int(rng, 2, 3, low=-5, high=5),)),
        Sample((rand_bool(rng, 4),)),
    ]


def _isreal_samples(rng: Any) -> list:
    return [
        Sample((_special_values(),)),
        Sample((np.array([1.0 + 0.0j, 1.0 + 1.0j, -2.0j, 3.0 - 0.0j]),)),
        Sample((rand_int(rng, 2, 3),)),
    ]


# ------------------------------------------------------------------------ comparisons

_COMPARE = {
    "equal": ("Element-wise test `x1 == x2`.", "true where the elements are equal"),
    "not_equal": ("Element-wise test `x1 != x2`.", "true where the elements differ"),
    "greater": ("Element-wise test `x1 > x2`.", "true where `x1` is greater"),
    "greater_equal": ("Element-wise test `x1 >= x2`.", "true where `x1` is greater or equal"),
    "less": ("Element-wise test `x1 < x2`.", "true where `x1` is smaller"),
    "less_equal": ("Element-wise test `x1 <= x2`.", "true where `x1` is smaller or equal"),
}


def _declare_comparison(name: str) -> Callable[..., Any]:
    summary, what = _COMPARE[name]
    doc = _binary_doc(
        summary + " Both inputs are promoted to a common dtype before comparing.",
        "x1",
        "x2",
        f"A bool tensor of the broadcast shape, {what}.",
    )
    return defop(
        tensors=("x1", "x2"),
        promote=("x1", "x2"),
        shape=broadcast_rule,
        dtype="bool",
        nondiff=True,
        samples=_compare_samples,
    )(_stub_x1x2(name, doc, __name__))


equal = _declare_comparison("equal")
not_equal = _declare_comparison("not_equal")
greater = _declare_comparison("greater")
greater_equal = _declare_comparison("greater_equal")
less = _declare_comparison("less")
less_equal = _declare_comparison("less_equal")


def _isclose_samples(rng: Any) -> list:
    a = randn(rng, 2, 4)
    scale = np.where(rng.random((2, 4)) < 0.5, 0.0, 1e-2)
    b = a * (1.0 + scale)
    nans = np.array([np.nan, 1.0, np.inf, -np.inf])
    return [
        Sample((a, b)),
        Sample((a, b), {"rtol": 0.1, "atol": 0.0}),
        Sample((nans, np.array([np.nan, 1.0, np.inf, np.inf])), {"equal_nan": True}),
        Sample((randn(rng, 2, 1), np.array([0.0, 1.0, 1e-9]))),
        Sample((rand_int(rng, 2, 3), rand_int(rng, 3))),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=lambda x1, x2, rtol, atol, equal_nan: broadcast_shapes(x1, x2),
    dtype="bool",
    nondiff=True,
    samples=_isclose_samples,
)
def isclose(
    x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """Element-wise test whether two tensors are equal within a tolerance.

    Elements are close when ``|x1 - x2| <= atol + rtol * |x2|``.

    Args:
        x1: first tensor.
        x2: second tensor (broadcast against `x1`).
        rtol: relative tolerance.
        atol: absolute tolerance.
        equal_nan: whether two NaNs count as equal.

    Returns:
        A bool tensor of the broadcast shape.
    """


def _allclose_shape(x1: Any, x2: Any, rtol: Any, atol: Any, equal_nan: Any) -> tuple:
    broadcast_shapes(x1, x2)  # raises on incompatible shapes
    return ()


def _allclose_samples(rng: Any) -> list:
    a = randn(rng, 2, 3)
    return [
        Sample((a, a * (1.0 + 1e-7))),
        Sample((a, a + 1e-2)),
        Sample((a, a[0] + 1e-3), {"atol": 1e-2}),
        Sample((np.array([np.nan, 1.0]), np.array([np.nan, 1.0])), {"equal_nan": True}),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=_allclose_shape,
    dtype="bool",
    nondiff=True,
    samples=_allclose_samples,
)
def allclose(
    x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """Test whether all elements of two tensors are equal within a tolerance.

    Args:
        x1: first tensor.
        x2: second tensor (broadcast against `x1`).
        rtol: relative tolerance.
        atol: absolute tolerance.
        equal_nan: whether two NaNs count as equal.

    Returns:
        A scalar bool tensor: true when `isclose` holds for every element.
    """


# ------------------------------------------------------------------------- predicates

_PREDICATES = {
    "isfinite": "Element-wise test for finite values (not infinite and not NaN).",
    "isinf": "Element-wise test for positive or negative infinity.",
    "isnan": "Element-wise test for NaN.",
    "isneginf": "Element-wise test for negative infinity.",
    "isposinf": "Element-wise test for positive infinity.",
    "isreal": "Element-wise test for a zero imaginary part (always true for real dtypes).",
    "signbit": "Element-wise test whether the sign bit is set (negative values, -0.0).",
    "logical_not": "Element-wise logical NOT (zero is false, anything else is true).",
}


def _declare_predicate(name: str) -> Callable[..., Any]:
    samples = _isreal_samples if name == "isreal" else _predicate_samples
    doc = _unary_doc(_PREDICATES[name], "A bool tensor with the shape of `x`.")
    return defop(shape=same_shape_rule, dtype="bool", nondiff=True, samples=samples)(
        _stub_x(name, doc, __name__)
    )


isfinite = _declare_predicate("isfinite")
isinf = _declare_predicate("isinf")
isnan = _declare_predicate("isnan")
isneginf = _declare_predicate("isneginf")
isposinf = _declare_predicate("isposinf")
isreal = _declare_predicate("isreal")
signbit = _declare_predicate("signbit")
logical_not = _declare_predicate("logical_not")


def _isin_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3), rand_int(rng, 4))),
        Sample((rand_int(rng, 2, 3), rand_int(rng, 2, 2)), {"invert": True}),
        Sample((np.array([1.5, 2.0, 3.0, -1.0]), np.array([2.0, -1.0]))),
        Sample(
            (np.array([1, 2, 3], np.int32), np.array([3, 1], np.int32)), {"assume_unique": True}
        ),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=lambda x1, x2, assume_unique, invert: tuple(x1),
    dtype="bool",
    nondiff=True,
    samples=_isin_samples,
)
def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> Any:
    """Element-wise membership test of `x1` in the values of `x2`.

    Args:
        x1: the tensor whose elements are tested.
        x2: the values to look for (any shape; it is flattened).
        assume_unique: promise that both inputs hold unique values (may be faster).
        invert: return the negated result (true where an element is *not* in `x2`).

    Returns:
        A bool tensor with the shape of `x1`.
    """


# ---------------------------------------------------------------------------- logical

_LOGICAL = {
    "logical_and": "Element-wise logical AND (zero is false, anything else is true).",
    "logical_or": "Element-wise logical OR (zero is false, anything else is true).",
    "logical_xor": "Element-wise logical XOR (zero is false, anything else is true).",
}


def _declare_logical(name: str) -> Callable[..., Any]:
    doc = _binary_doc(_LOGICAL[name], "x1", "x2", "A bool tensor of the broadcast shape.")
    return defop(
        tensors=("x1", "x2"),
        shape=broadcast_rule,
        dtype="bool",
        nondiff=True,
        samples=_logical_samples,
    )(_stub_x1x2(name, doc, __name__))


logical_and = _declare_logical("logical_and")
logical_or = _declare_logical("logical_or")
logical_xor = _declare_logical("logical_xor")


__all__ = [
    *_bitwise.__all__,
    *_rounding.__all__,
    *_select.__all__,
    "allclose",
    "equal",
    "greater",
    "greater_equal",
    "isclose",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "not_equal",
    "signbit",
]
