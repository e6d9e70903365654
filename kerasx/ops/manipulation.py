"""Shape manipulation, indexing and array creation ops."""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes, canonical_axis
from kerasx.ops._helpers import K, Sample, randn, shape_of, unbroadcast


def _reshape_shape(x: tuple, newshape: Any) -> tuple:
    if isinstance(newshape, int):
        newshape = (newshape,)
    newshape = tuple(int(d) if d is not None else -1 for d in newshape)
    if newshape.count(-1) > 1:
        raise ValueError(f"can only specify one unknown dimension (-1), received {newshape}")
    known = [d for d in x if d is not None]
    if None in x:
        return tuple(None if d == -1 else d for d in newshape)
    total = math.prod(known)
    if -1 in newshape:
        rest = math.prod(d for d in newshape if d != -1)
        if rest == 0 or total % rest:
            raise ValueError(f"cannot reshape a tensor of shape {x} into shape {newshape}")
        return tuple(total // rest if d == -1 else d for d in newshape)
    if math.prod(newshape) != total:
        raise ValueError(f"cannot reshape a tensor of shape {x} into shape {newshape}")
    return newshape


@defop(
    shape=_reshape_shape,
    vjp={"x": lambda g, ans, x, newshape: K.reshape(g, shape_of(x))},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), (3, 2))),
        Sample((randn(rng, 2, 3), (-1,))),
        Sample((randn(rng, 2, 3, 2), (2, -1))),
    ],
)
def reshape(x: Any, newshape: Any) -> Any:
    """Give a tensor a new shape without changing its data.

    Args:
        x: input tensor.
        newshape: the new shape; one dimension may be -1 (inferred).

    Returns:
        The reshaped tensor.
    """


def _transpose_shape(x: tuple, axes: Any = None) -> tuple:
    if axes is None:
        return tuple(reversed(x))
    axes = [canonical_axis(a, len(x)) for a in axes]
    if sorted(axes) != list(range(len(x))):
        raise ValueError(f"axes {tuple(axes)} is not a permutation of the {len(x)} dimensions")
    return tuple(x[a] for a in axes)


def _transpose_vjp(g: Any, ans: Any, x: Any, axes: Any) -> Any:
    if axes is None:
        return K.transpose(g)
    n = len(shape_of(x))
    axes = [a % n for a in axes]
    inv = [0] * n
    for i, a in enumerate(axes):
        inv[a] = i
    return K.transpose(g, inv)


@defop(
    shape=_transpose_shape,
    vjp={"x": _transpose_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3, 4), (1, 2, 0))),
        Sample((randn(rng, 2, 3, 4), (-1, 0, 1))),
    ],
)
def transpose(x: Any, axes: Any = None) -> Any:
    """Permute the axes of a tensor.

    Args:
        x: input tensor.
        axes: a permutation of the axes; None reverses them.

    Returns:
        The transposed tensor.
    """


@defop(
    shape=lambda x, shape: broadcast_shapes(x, tuple(shape)) and tuple(shape),
    vjp={"x": lambda g, ans, x, shape: unbroadcast(g, x)},
    samples=lambda rng: [
        Sample((randn(rng, 3), (2, 3))),
        Sample((randn(rng, 2, 1), (4, 2, 5))),
    ],
)
def broadcast_to(x: Any, shape: Any) -> Any:
    """Broadcast a tensor to a new shape.

    Args:
        x: input tensor.
        shape: the target shape.

    Returns:
        A tensor of shape `shape`.
    """


def _like_dtype(x: str, dtype: Any = None) -> str:
    from kerasx.engine.dtypes import standardize_dtype

    return standardize_dtype(dtype) if dtype is not None else x


@defop(
    shape=lambda x, dtype=None: tuple(x),
    dtype=_like_dtype,
    nondiff=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 2),), {"dtype": "int32"})],
)
def zeros_like(x: Any, dtype: Any = None) -> Any:
    """A tensor of zeros with the shape (and by default the dtype) of `x`.

    Args:
        x: the template tensor.
        dtype: the result dtype (default: `x`'s).

    Returns:
        Zeros shaped like `x`.
    """


@defop(
    shape=lambda x, dtype=None: tuple(x),
    dtype=_like_dtype,
    nondiff=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 2),), {"dtype": "int32"})],
)
def ones_like(x: Any, dtype: Any = None) -> Any:
    """A tensor of ones with the shape (and by default the dtype) of `x`.

    Args:
        x: the template tensor.
        dtype: the result dtype (default: `x`'s).

    Returns:
        Ones shaped like `x`.
    """


def _expand_dims_shape(x: tuple, axis: Any) -> tuple:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    n = len(x) + len(axes)
    axes = sorted(canonical_axis(a, n) for a in axes)
    out = list(x)
    for a in axes:
        out.insert(a, 1)
    return tuple(out)


@defop(
    shape=_expand_dims_shape,
    vjp={"x": lambda g, ans, x, axis: K.reshape(g, shape_of(x))},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 0)),
        Sample((randn(rng, 2, 3), -1)),
        Sample((randn(rng, 2, 3), (0, 2))),
    ],
)
def expand_dims(x: Any, axis: Any) -> Any:
    """Insert length-1 axes at the given positions.

    Args:
        x: input tensor.
        axis: an int or a tuple of ints: positions of the new axes in the result.

    Returns:
        `x` with the new axes.
    """


__all__ = ["broadcast_to", "expand_dims", "ones_like", "reshape", "transpose", "zeros_like"]
