"""Comparisons, predicates, logic, bitwise ops, rounding, `where`/`select` and bucketing.

Almost every op here is piecewise constant or returns booleans / integers, so they are
declared ``nondiff=True``: autodiff treats their outputs as constants (zero gradient, as in
JAX). The exceptions are `where` (differentiable with respect to `x1` and `x2`) and `select`
(a composite of `where`, differentiable with respect to the choices and the default).

Families of ops sharing one signature are declared through small stub factories so each op
still has its own name, signature and docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, broadcast_shapes, same_shape_rule
from kerasx.ops._helpers import K, Sample, rand_bool, rand_int, randn, unbroadcast, zero_rule

# ------------------------------------------------------------------------ stub factories


def _stub_x1x2(name: str, doc: str) -> Callable[..., Any]:
    def stub(x1: Any, x2: Any) -> Any:
        pass

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    return stub


def _stub_xy(name: str, doc: str) -> Callable[..., Any]:
    def stub(x: Any, y: Any) -> Any:
        pass

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    return stub


def _stub_x(name: str, doc: str) -> Callable[..., Any]:
    def stub(x: Any) -> Any:
        pass

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    return stub


def _binary_doc(summary: str, a: str, b: str, returns: str) -> str:
    return (
        f"{summary}\n\n"
        "    Args:\n"
        f"        {a}: first tensor.\n"
        f"        {b}: second tensor (broadcast against `{a}`).\n\n"
        "    Returns:\n"
        f"        {returns}\n"
    )


def _unary_doc(summary: str, returns: str) -> str:
    return f"{summary}\n\n    Args:\n        x: input tensor.\n\n    Returns:\n        {returns}\n"


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


def _int_pair_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-20, high=20), rand_int(rng, 2, 3, low=-20, high=20))),
        Sample((rand_int(rng, 2, 3, low=0, high=50), rand_int(rng, 3, low=0, high=50))),
        Sample((rand_bool(rng, 2, 3), rand_bool(rng, 2, 3))),
        Sample(
            (
                rand_int(rng, 4, low=0, high=255).astype(np.uint8),
                rand_int(rng, 4, low=0, high=255).astype(np.uint8),
            )
        ),
    ]


def _shift_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-50, high=50), rand_int(rng, 2, 3, low=0, high=8))),
        Sample((rand_int(rng, 2, 3, low=0, high=1000), rand_int(rng, 3, low=0, high=5))),
        Sample((rand_int(rng, 4, low=0, high=255).astype(np.uint8), np.array(3, np.uint8))),
        Sample((rand_int(rng, 3, low=-9, high=9).astype(np.int8), 2)),
    ]


def _gcd_samples(rng: Any) -> list:
    return [
        Sample((np.array([-12, 0, 7, 9, 0], np.int32), np.array([18, 0, -21, 6, 5], np.int32))),
        Sample((rand_int(rng, 2, 3, low=-30, high=30), rand_int(rng, 3, low=1, high=30))),
        Sample((rand_int(rng, 4, low=0, high=15).astype(np.uint8), np.array(6, np.uint8))),
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


def _round_values(rng: Any) -> np.ndarray:
    x = np.round(randn(rng, 2, 4) * 3, 3)
    x[0, :4] = [-2.5, -0.5, 0.5, 1.5]
    return x


def _rounding_samples(rng: Any) -> list:
    return [
        Sample((_round_values(rng),)),
        Sample((randn(rng, 5) * 10,)),
        Sample((rand_int(rng, 2, 3, low=-9, high=9),)),
    ]


def _sign_samples(rng: Any) -> list:
    return [
        Sample((_round_values(rng),)),
        Sample((np.array([-3.0, -0.0, 0.0, 2.0, np.inf]),)),
        Sample((rand_int(rng, 2, 3, low=-5, high=5),)),
        Sample((np.array([0, 3, 200], np.uint8),)),
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
    )(_stub_x1x2(name, doc))


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
        _stub_x(name, doc)
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
    )(_stub_x1x2(name, doc))


logical_and = _declare_logical("logical_and")
logical_or = _declare_logical("logical_or")
logical_xor = _declare_logical("logical_xor")


# ---------------------------------------------------------------------------- bitwise


def _require_int_or_bool(dtype: str, arg: str, op: str, kinds: str = "integer or bool") -> None:
    if dtype != "bool" and not _dt.is_int_dtype(dtype):
        raise TypeError(
            f"`{op}` works on {kinds} tensors. Received an invalid dtype for "
            f"`{arg}`: {arg}.dtype={dtype}. Cast it first, e.g. with ops.cast(x, 'int32')."
        )


def _bitwise_dtype(
    op: str, names: tuple = ("x", "y"), *, bool_to_int: bool = False, allow_bool: bool = True
) -> Any:
    def rule(*dtypes: Any) -> str:
        for d, n in zip(dtypes, names):
            kinds = "integer or bool" if allow_bool else "integer"
            if isinstance(d, str):
                _require_int_or_bool(d, n, op, kinds)
            elif isinstance(d, float):
                _require_int_or_bool("float32", n, op, kinds)
        out = _dt.result_type(*dtypes)
        if out == "bool":
            if not allow_bool:
                raise TypeError(
                    f"`{op}` is not defined for bool inputs. Cast them first, e.g. with "
                    "ops.cast(x, 'int32')."
                )
            if bool_to_int:
                out = "int32"
        return out

    return rule


def _declare_bitwise(name: str, summary: str, bool_to_int: bool = False) -> Callable[..., Any]:
    doc = _binary_doc(
        summary,
        "x",
        "y",
        "A tensor of the promoted integer (or bool) dtype and the broadcast shape.",
    )
    return defop(
        tensors=("x", "y"),
        promote=("x", "y"),
        shape=broadcast_rule,
        dtype=_bitwise_dtype(name, bool_to_int=bool_to_int),
        nondiff=True,
        samples=_shift_samples if bool_to_int else _int_pair_samples,
    )(_stub_xy(name, doc))


bitwise_and = _declare_bitwise("bitwise_and", "Element-wise bitwise AND of integer/bool tensors.")
bitwise_or = _declare_bitwise("bitwise_or", "Element-wise bitwise OR of integer/bool tensors.")
bitwise_xor = _declare_bitwise("bitwise_xor", "Element-wise bitwise XOR of integer/bool tensors.")

_LSHIFT = "Shift the bits of `x` to the left by `y` (bool inputs are treated as int32)."
_RSHIFT = (
    "Shift the bits of `x` to the right by `y` (arithmetic shift for signed integers; "
    "bool inputs are treated as int32)."
)
bitwise_left_shift = _declare_bitwise("bitwise_left_shift", _LSHIFT, bool_to_int=True)
left_shift = _declare_bitwise("left_shift", _LSHIFT + " Same as `bitwise_left_shift`.", True)
bitwise_right_shift = _declare_bitwise("bitwise_right_shift", _RSHIFT, bool_to_int=True)
right_shift = _declare_bitwise("right_shift", _RSHIFT + " Same as `bitwise_right_shift`.", True)


def _invert_dtype(x: Any) -> str:
    d = _dt.result_type(x)
    if isinstance(x, float):
        d = "float32"
    _require_int_or_bool(d, "x", "bitwise_invert")
    return d


def _invert_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-20, high=20),)),
        Sample((rand_bool(rng, 4),)),
        Sample((np.array([0, 1, 127, 255], np.uint8),)),
    ]


def _declare_invert(name: str, extra: str) -> Callable[..., Any]:
    doc = _unary_doc(
        "Element-wise bitwise NOT (two's complement for signed integers; logical NOT for "
        "bool)." + extra,
        "A tensor with the dtype and shape of `x`.",
    )
    return defop(shape=same_shape_rule, dtype=_invert_dtype, nondiff=True, samples=_invert_samples)(
        _stub_x(name, doc)
    )


bitwise_invert = _declare_invert("bitwise_invert", "")
bitwise_not = _declare_invert("bitwise_not", " Same as `bitwise_invert`.")


def _declare_int_binary(name: str, summary: str) -> Callable[..., Any]:
    doc = _binary_doc(
        summary, "x1", "x2", "A tensor of the promoted integer dtype and the broadcast shape."
    )
    return defop(
        tensors=("x1", "x2"),
        promote=("x1", "x2"),
        shape=broadcast_rule,
        dtype=_bitwise_dtype(name, ("x1", "x2"), allow_bool=False),
        nondiff=True,
        samples=_gcd_samples,
    )(_stub_x1x2(name, doc))


gcd = _declare_int_binary(
    "gcd",
    "Element-wise greatest common divisor of integer tensors (non-negative; gcd(0, 0) = 0).",
)
lcm = _declare_int_binary(
    "lcm",
    "Element-wise least common multiple of integer tensors (non-negative; zero when either "
    "input is zero).",
)


# --------------------------------------------------------------------------- rounding


def _sign_dtype(x: Any) -> str:
    d = _dt.result_type(x)
    if d == "bool":
        raise TypeError(
            "`sign` is not defined for bool tensors. Received: x.dtype=bool. Cast it first, "
            "e.g. with ops.cast(x, 'int32')."
        )
    return d


sign = defop(shape=same_shape_rule, dtype=_sign_dtype, nondiff=True, samples=_sign_samples)(
    _stub_x(
        "sign",
        _unary_doc(
            "Element-wise sign: -1 for negative values, 0 for zero, 1 for positive values "
            "(NaN stays NaN). Its gradient is zero.",
            "A tensor with the dtype and shape of `x`.",
        ),
    )
)

floor = defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    nondiff=True,
    samples=_rounding_samples,
)(
    _stub_x(
        "floor",
        _unary_doc(
            "Element-wise floor: the largest integer not greater than each element. Its "
            "gradient is zero.",
            "A floating tensor with the shape of `x` (integer and bool inputs give floatx).",
        ),
    )
)

ceil = defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    nondiff=True,
    samples=_rounding_samples,
)(
    _stub_x(
        "ceil",
        _unary_doc(
            "Element-wise ceiling: the smallest integer not less than each element. Its "
            "gradient is zero.",
            "A floating tensor with the shape of `x` (integer and bool inputs give floatx).",
        ),
    )
)

trunc = defop(shape=same_shape_rule, nondiff=True, samples=_rounding_samples)(
    _stub_x(
        "trunc",
        _unary_doc(
            "Element-wise truncation towards zero. Integer and bool inputs are returned "
            "unchanged. Its gradient is zero.",
            "A tensor with the dtype and shape of `x`.",
        ),
    )
)


def _check_decimals(decimals: Any) -> None:
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(
            "Received an invalid value for `decimals`, expected an int. "
            f"Received: decimals={decimals!r}"
        )


def _round_shape(x: tuple, decimals: Any = 0) -> tuple:
    _check_decimals(decimals)
    return tuple(x)


def _round_samples(rng: Any) -> list:
    ints = np.array([[1234, 15, -25, 55], [-5, 45, 0, 7]], np.int32)
    return [
        Sample((_round_values(rng),)),
        Sample((randn(rng, 2, 3) * 10,), {"decimals": 2}),
        Sample((ints,), {"decimals": -1}),
        Sample((ints,), {"decimals": 1}),
        Sample((np.array([1234.0, 15.0, -25.0, 251.0]),), {"decimals": -1}),
    ]


@defop(shape=_round_shape, nondiff=True, samples=_round_samples)
def round(x: Any, decimals: int = 0) -> Any:  # noqa: A001
    """Round each element to the given number of decimals (ties go to the even digit).

    Args:
        x: input tensor.
        decimals: number of decimal places; negative values round to tens, hundreds, ...
            (also for integer inputs). Bool inputs are returned unchanged.

    Returns:
        A tensor with the dtype and shape of `x`. Its gradient is zero.
    """


# ------------------------------------------------------------------------ where/select


def _check_where_pair(x1: Any, x2: Any) -> None:
    if (x1 is None) != (x2 is None):
        raise ValueError(
            "Received an invalid combination for `x1` and `x2`: pass both (to pick elements "
            "from them) or neither (to get the indices where `condition` is true). "
            f"Received: x1={'None' if x1 is None else 'a tensor'}, "
            f"x2={'None' if x2 is None else 'a tensor'}"
        )


def _where_shape(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    _check_where_pair(x1, x2)
    if x1 is None:
        return [(None,) for _ in condition]
    return broadcast_shapes(condition, x1, x2)


def _where_dtype(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    _check_where_pair(x1, x2)
    if x1 is None:
        return "int32"
    return _dt.result_type(x1, x2)


def _where_samples(rng: Any) -> list:
    return [
        Sample((rand_bool(rng, 2, 3), randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((rand_bool(rng, 3), randn(rng, 2, 1), 0.5)),
        Sample((rand_bool(rng, 2, 1), -1.0, randn(rng, 3))),
        Sample((rand_int(rng, 2, 3, low=0, high=3), rand_int(rng, 2, 3), 7), grad=False),
        # Keras's NumPy backend returns int64 indices here (its JAX backend int32, as we do).
        Sample((rand_bool(rng, 2, 3),), keras=False),
    ]


@defop(
    tensors=("condition", "x1", "x2"),
    promote=("x1", "x2"),
    shape=_where_shape,
    dtype=_where_dtype,
    vjp={
        "condition": zero_rule,
        "x1": lambda g, ans, condition, x1, x2: unbroadcast(K.where(condition, g, 0), x1),
        "x2": lambda g, ans, condition, x1, x2: unbroadcast(K.where(condition, 0, g), x2),
    },
    samples=_where_samples,
)
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """Pick elements from `x1` where `condition` is true and from `x2` elsewhere.

    With only `condition` given, return the indices of its non-zero elements instead
    (one int32 index tensor per dimension, like `numpy.nonzero`).

    Args:
        condition: a tensor; non-zero / true elements select `x1`.
        x1: values taken where `condition` is true.
        x2: values taken where `condition` is false.

    Returns:
        A tensor of the broadcast shape and the promoted dtype of `x1` and `x2`, or, with
        only `condition`, a tuple of int32 index tensors.
    """


def _select_samples(rng: Any) -> list:
    c1 = rand_bool(rng, 2, 3)
    c2 = rand_bool(rng, 2, 3)
    return [
        Sample(([c1, c2], [randn(rng, 2, 3), randn(rng, 2, 3)])),
        Sample(([c1, rand_bool(rng, 3)], [randn(rng, 2, 1), randn(rng, 3)], randn(rng, 3))),
        Sample(([c1], [rand_int(rng, 2, 3)], 5)),
        Sample(((c2, c1), (randn(rng, 2, 3), randn(rng, 1, 3)), -2.0)),
    ]


@defop(
    tensors=("default",),
    seq=("condlist", "choicelist"),
    composite=True,
    samples=_select_samples,
)
def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    """Build a tensor from several choices, each picked where its condition holds.

    Where more than one condition is true the first one wins; where none is, `default`.

    Args:
        condlist: a list of tensors (bool, or non-zero means true).
        choicelist: a list of tensors, as long as `condlist`.
        default: the value used where no condition holds.

    Returns:
        A tensor of the broadcast shape of all inputs and the promoted dtype of the choices
        and `default`.
    """
    if not isinstance(condlist, (list, tuple)):
        condlist = list(condlist)
    if not isinstance(choicelist, (list, tuple)):
        choicelist = list(choicelist)
    if not condlist or not choicelist:
        raise ValueError(
            "Received an invalid value for `condlist`/`choicelist`, expected non-empty lists. "
            f"Received: len(condlist)={len(condlist)}, len(choicelist)={len(choicelist)}"
        )
    if len(condlist) != len(choicelist):
        raise ValueError(
            "Received an invalid value for `choicelist`, expected as many choices as "
            f"conditions in `condlist` ({len(condlist)}). "
            f"Received: len(choicelist)={len(choicelist)}"
        )
    result = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        result = K.where(cond, choice, result)
    return result


# ----------------------------------------------------------------------- bucketization


def _digitize_shape(x: tuple, bins: tuple) -> tuple:
    if len(bins) != 1:
        raise ValueError(
            "Received an invalid value for `bins`, expected a 1-D tensor. "
            f"Received: bins.shape={tuple(bins)}"
        )
    return tuple(x)


def _digitize_samples(rng: Any) -> list:
    x = np.round(randn(rng, 2, 4), 1)
    x[0, :2] = [0.0, 0.5]
    return [
        Sample((x, np.array([-1.0, 0.0, 0.5, 1.0]))),
        Sample((x, np.array([1.0, 0.5, 0.0]))),
        Sample((rand_int(rng, 5, low=0, high=10), np.array([2, 5, 5, 8], np.int32))),
        Sample((np.array(0.25), np.array([0.0, 0.5]))),
    ]


@defop(
    tensors=("x", "bins"),
    promote=("x", "bins"),
    shape=_digitize_shape,
    dtype="int32",
    nondiff=True,
    samples=_digitize_samples,
)
def digitize(x: Any, bins: Any) -> Any:
    """Index of the bin each element of `x` falls into.

    For increasing `bins`, the result `i` satisfies ``bins[i-1] <= x < bins[i]``; for
    decreasing bins, ``bins[i-1] > x >= bins[i]``. Values below / above every edge give 0 /
    ``len(bins)``.

    Args:
        x: input tensor.
        bins: a 1-D monotonic tensor of bin edges.

    Returns:
        An int32 tensor with the shape of `x`.
    """


def _check_side(side: Any) -> None:
    if side not in ("left", "right"):
        raise ValueError(
            f"Received an invalid value for `side`, expected 'left' or 'right'. Received: side={side!r}"
        )


def _searchsorted_shape(sorted_sequence: tuple, values: tuple, side: Any = "left") -> tuple:
    if len(sorted_sequence) != 1:
        raise ValueError(
            "Received an invalid value for `sorted_sequence`, expected a 1-D tensor. "
            f"Received: sorted_sequence.shape={tuple(sorted_sequence)}"
        )
    _check_side(side)
    return tuple(values)


def _searchsorted_samples(rng: Any) -> list:
    seq = np.array([-1.0, 0.0, 0.0, 0.5, 2.0])
    values = np.array([[-2.0, 0.0, 0.25], [0.5, 2.0, 3.0]])
    return [
        Sample((seq, values)),
        Sample((seq, values), {"side": "right"}),
        Sample((np.array([1, 3, 5, 7], np.int32), rand_int(rng, 6))),
        Sample((seq, 0.5)),
    ]


@defop(
    tensors=("sorted_sequence", "values"),
    promote=("sorted_sequence", "values"),
    shape=_searchsorted_shape,
    dtype="int32",
    nondiff=True,
    samples=_searchsorted_samples,
)
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Any:
    """Indices where `values` would be inserted into `sorted_sequence` to keep it sorted.

    Args:
        sorted_sequence: a 1-D tensor sorted in increasing order.
        values: the values to place (any shape).
        side: "left" gives the first suitable index, "right" the last one.

    Returns:
        An int32 tensor with the shape of `values`.
    """


__all__ = [
    "allclose",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "digitize",
    "equal",
    "floor",
    "gcd",
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
    "lcm",
    "left_shift",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "not_equal",
    "right_shift",
    "round",
    "searchsorted",
    "select",
    "sign",
    "signbit",
    "trunc",
    "where",
]
