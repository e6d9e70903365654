"""Triangles and diagonals (`tril`, `triu`, `diag`, `diagflat`, `diagonal`) and discrete
differences (`diff`).

Re-exported by `kerasx.ops.manipulation` (importing that family registers these ops too).
"""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops._manipulation_common import _ax, _dtype_of, _pad_axis

# -------------------------------------------------------------- triangles and diagonals


def _tri_shape(x: tuple, k: int = 0) -> tuple:
    if len(x) == 0:
        raise ValueError(
            "Received an invalid value for `x`, expected a tensor of rank >= 1. Received a scalar."
        )
    return (x[0], x[0]) if len(x) == 1 else tuple(x)


def _tri_vjp(fn: str) -> Any:
    def rule(g: Any, ans: Any, x: Any, k: int = 0) -> Any:
        gx = getattr(K, fn)(g, k=k)
        return K.sum(gx, axis=0) if len(shape_of(x)) == 1 else gx

    return rule


def _tri_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 3, 3),)),
        Sample((randn(rng, 3, 4),), {"k": 1}),
        Sample((randn(rng, 2, 3, 3),), {"k": -1}),
        Sample((randn(rng, 3),), keras=True),
    ]


@defop(shape=_tri_shape, vjp={"x": _tri_vjp("tril")}, samples=_tri_samples)
def tril(x: Any, k: int = 0) -> Any:
    """Lower triangle of a matrix (or of each matrix in a batch); the rest is zero.

    Args:
        x: input tensor (a 1-D tensor is first broadcast to a square matrix).
        k: the diagonal above which elements are zeroed (0 main, >0 above, <0 below).

    Returns:
        The lower triangle.
    """


@defop(shape=_tri_shape, vjp={"x": _tri_vjp("triu")}, samples=_tri_samples)
def triu(x: Any, k: int = 0) -> Any:
    """Upper triangle of a matrix (or of each matrix in a batch); the rest is zero.

    Args:
        x: input tensor (a 1-D tensor is first broadcast to a square matrix).
        k: the diagonal below which elements are zeroed (0 main, >0 above, <0 below).

    Returns:
        The upper triangle.
    """


def _diff_shape(a: tuple, n: int = 1, axis: int = -1) -> tuple:
    if n < 0:
        raise ValueError(f"Received an invalid value for `n`, expected n >= 0. Received: n={n}")
    if n == 0:
        return tuple(a)
    ax = _ax(axis, len(a))
    out = list(a)
    out[ax] = None if a[ax] is None else max(a[ax] - n, 0)
    return tuple(out)


def _diff_vjp(g: Any, ans: Any, a: Any, n: int = 1, axis: int = -1) -> Any:
    ax = _ax(axis, len(shape_of(a)))
    for _ in range(n):
        g = K.subtract(_pad_axis(g, ax, 1, 0), _pad_axis(g, ax, 0, 1))
    return g


@defop(
    tensors=("a",),
    shape=_diff_shape,
    vjp={"a": _diff_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 5),)),
        Sample((randn(rng, 6),), {"n": 2}),
        Sample((randn(rng, 4, 3),), {"n": 1, "axis": 0}),
        Sample((randn(rng, 3),), {"n": 0}),
    ],
)
def diff(a: Any, n: int = 1, axis: int = -1) -> Any:
    """n-th discrete difference along an axis (``a[i+1] - a[i]``, applied `n` times).

    Args:
        a: input tensor.
        n: how many times to take differences.
        axis: the axis along which to differentiate.

    Returns:
        A tensor whose `axis` is `n` shorter.
    """


def _diag_embed(g: Any, m: int, n: int, k: int) -> Any:
    """Place the last axis of `g` on diagonal `k` of trailing ``(m, n)`` matrices."""
    length = shape_of(g)[-1]
    eye = K.eye(m, n, k=k, dtype=_dtype_of(g))
    if k >= 0:
        return K.multiply(eye, K.expand_dims(_pad_axis(g, len(shape_of(g)) - 1, 0, m - length), -1))
    return K.multiply(eye, K.expand_dims(_pad_axis(g, len(shape_of(g)) - 1, 0, n - length), -2))


def _diagonal_vjp(g: Any, ans: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    xs = shape_of(x)
    a1, a2 = _ax(axis1, len(xs), "axis1"), _ax(axis2, len(xs), "axis2")
    emb = _diag_embed(g, xs[a1], xs[a2], offset)
    return K.moveaxis(emb, (-2, -1), (a1, a2))


def _diag_vjp(g: Any, ans: Any, x: Any, k: int = 0) -> Any:
    xs = shape_of(x)
    if len(xs) == 1:
        return K.diagonal(g, offset=k)
    return _diag_embed(g, xs[0], xs[1], k)


@defop(
    vjp={"x": _diag_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3),)),
        Sample((randn(rng, 3),), {"k": -1}),
        Sample((randn(rng, 3, 4),)),
        Sample((randn(rng, 3, 4),), {"k": 2}),
        Sample((randn(rng, 4, 3),), {"k": -1}),
    ],
)
def diag(x: Any, k: int = 0) -> Any:
    """Extract a diagonal of a matrix, or build a matrix with a vector on a diagonal.

    Args:
        x: a 1-D tensor (placed on diagonal `k` of a square matrix) or a 2-D tensor
            (diagonal `k` is read).
        k: the diagonal (0 main, >0 above, <0 below).

    Returns:
        A 2-D tensor for a 1-D input; a 1-D tensor for a 2-D input.
    """


@defop(
    vjp={"x": lambda g, ans, x, k=0: K.reshape(K.diagonal(g, offset=k), shape_of(x))},
    samples=lambda rng: [
        Sample((randn(rng, 3),)),
        Sample((randn(rng, 2, 2),), {"k": 1}),
        Sample((randn(rng, 2),), {"k": -2}),
    ],
)
def diagflat(x: Any, k: int = 0) -> Any:
    """Build a 2-D tensor with the flattened input on a diagonal.

    Args:
        x: input tensor (flattened first).
        k: the diagonal (0 main, >0 above, <0 below).

    Returns:
        A square 2-D tensor of side ``x.size + |k|``.
    """


@defop(
    vjp={"x": _diagonal_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 4),)),
        Sample((randn(rng, 3, 4),), {"offset": 1}),
        Sample((randn(rng, 2, 3, 4),), {"offset": -1, "axis1": 2, "axis2": 1}),
        Sample((randn(rng, 3, 2, 4),), {"offset": 1, "axis1": 0, "axis2": -1}),
    ],
)
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Diagonals of a tensor in the plane of two axes.

    Args:
        x: input tensor (at least 2-D).
        offset: the diagonal (0 main, >0 above, <0 below).
        axis1: the axis of the rows.
        axis2: the axis of the columns.

    Returns:
        A tensor with `axis1` and `axis2` removed and the diagonal as a new last axis.
    """


__all__ = [
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "tril",
    "triu",
]
