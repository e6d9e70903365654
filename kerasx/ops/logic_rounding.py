"""Rounding ops: sign, floor, ceil, trunc and round.

They are piecewise constant, so they are declared ``nondiff=True`` (zero gradient, as in
JAX). Re-exported by `kerasx.ops.logic` (importing that family registers these ops too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import same_shape_rule
from kerasx.ops._helpers import Sample, rand_int, randn
from kerasx.ops._logic_common import _stub_x, _unary_doc

# ---------------------------------------------------------------------------- samples


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
        __name__,
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
        __name__,
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
        __name__,
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
        __name__,
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


__all__ = [
    "ceil",
    "floor",
    "round",
    "sign",
    "trunc",
]
