"""Reductions, statistics, sorting and searching."""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axes, reduce_rule
from kerasx.ops._helpers import K, Sample, randn, shape_of


def _sum_dtype(x: str, axis: Any = None, keepdims: bool = False) -> str:
    if x in ("bool", "int8", "int16", "uint8", "uint16"):
        return "int32"
    return x


def expand_reduced(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """Reshape a reduction's cotangent `g` so it broadcasts against `x`."""
    xshape = shape_of(x)
    if keepdims:
        return g
    axes = canonical_axes(axis, len(xshape))
    kept = tuple(1 if i in axes else d for i, d in enumerate(xshape))
    return K.reshape(g, kept)


def _reduce_samples(rng: Any) -> list:
    x = randn(rng, 2, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": (0, 2), "keepdims": True}),
        Sample((x,), {"axis": -1}),
    ]


@defop(
    shape=reduce_rule,
    dtype=_sum_dtype,
    vjp={
        "x": lambda g, ans, x, axis, keepdims: K.broadcast_to(
            expand_reduced(g, x, axis, keepdims), shape_of(x)
        )
    },
    samples=_reduce_samples,
)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum of tensor elements over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The sum (small integer and bool inputs give int32, as in Keras).
    """


__all__ = ["expand_reduced", "sum"]
