"""Shape manipulation: reshape, transpose and axis moves, broadcasting, squeezing, views.

This module is the entry point of the manipulation family: it re-exports the ops of its
siblings, so importing it registers them all: `manipulation_reorder` (flips, rotations,
rolls), `manipulation_padding` (pad, repeat, tile) and `manipulation_diagonal` (triangles,
diagonals, discrete differences). Joining and splitting live in `joining.py`; einops-style
`rearrange` in `einops.py`.
"""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine.dtypes import standardize_dtype
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes, canonical_axis
from kerasx.ops import manipulation_diagonal as _diagonal
from kerasx.ops import manipulation_padding as _padding
from kerasx.ops import manipulation_reorder as _reorder
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of, unbroadcast
from kerasx.ops._manipulation_common import _ax, _ints
from kerasx.ops.manipulation_diagonal import *  # noqa: F403
from kerasx.ops.manipulation_padding import *  # noqa: F403
from kerasx.ops.manipulation_reorder import *  # noqa: F403


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
    vjp_reads=(),
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
    vjp_reads=(),
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
    vjp_reads=(),
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
    vjp_reads=(),
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


# --------------------------------------------------------------------------------- axes


def _moveaxis_perm(ndim: int, source: Any, destination: Any) -> list:
    src = [_ax(a, ndim, "source") for a in _ints(source)]
    dst = [_ax(a, ndim, "destination") for a in _ints(destination)]
    if len(src) != len(dst):
        raise ValueError(
            "`source` and `destination` must name the same number of axes. "
            f"Received: source={source}, destination={destination}"
        )
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(
            f"repeated axis in `source` or `destination`. Received: source={source}, "
            f"destination={destination}"
        )
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return order


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3, 4), 0, -1)),
        Sample((randn(rng, 2, 3, 4), (0, 1), (2, 0))),
    ],
)
def moveaxis(x: Any, source: Any, destination: Any) -> Any:
    """Move axes of a tensor to new positions (the other axes keep their order).

    Args:
        x: input tensor.
        source: an int or a sequence of ints: the axes to move.
        destination: their new positions.

    Returns:
        The tensor with its axes moved.
    """
    return K.transpose(x, _moveaxis_perm(len(shape_of(x)), source, destination))


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3, 4), 0, -1)), Sample((randn(rng, 2, 3), 1, 1))],
)
def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of a tensor.

    Args:
        x: input tensor.
        axis1: first axis.
        axis2: second axis.

    Returns:
        The tensor with the two axes swapped.
    """
    nd = len(shape_of(x))
    perm = list(range(nd))
    a, b = _ax(axis1, nd, "axis1"), _ax(axis2, nd, "axis2")
    perm[a], perm[b] = perm[b], perm[a]
    return K.transpose(x, perm)


# ------------------------------------------------------------------ squeezing and sizes


def _squeeze_shape(x: tuple, axis: Any = None) -> tuple:
    if axis is None:
        return tuple(d for d in x if d != 1)
    axes = {_ax(a, len(x)) for a in _ints(axis)}
    for a in axes:
        if x[a] is not None and x[a] != 1:
            raise ValueError(
                f"Received an invalid value for `axis`, expected axes of length 1. "
                f"Received: axis={axis} for a tensor of shape {x}"
            )
    return tuple(d for i, d in enumerate(x) if i not in axes)


@defop(
    shape=_squeeze_shape,
    vjp={"x": lambda g, ans, x, axis=None: K.reshape(g, shape_of(x))},
    vjp_reads=(),
    samples=lambda rng: [
        Sample((randn(rng, 1, 3, 1),)),
        Sample((randn(rng, 1, 3, 1),), {"axis": -1}),
        Sample((randn(rng, 1, 3, 1),), {"axis": (0, 2)}),
    ],
)
def squeeze(x: Any, axis: Any = None) -> Any:
    """Remove axes of length 1.

    Args:
        x: input tensor.
        axis: an int or a tuple of ints (each must have length 1), or None (all of them).

    Returns:
        `x` without those axes.
    """


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 2, 1, 2),))],
)
def ravel(x: Any) -> Any:
    """Flatten a tensor to one dimension (row-major order).

    Args:
        x: input tensor.

    Returns:
        A 1-D tensor.
    """
    return K.reshape(x, (-1,))


@defop(
    composite=True,
    nondiff=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 4),))],
)
def ndim(x: Any) -> int:
    """Number of dimensions of a tensor.

    Args:
        x: input tensor.

    Returns:
        The rank as a Python int.
    """
    return len(shape_of(x))


@defop(
    composite=True,
    nondiff=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 4),))],
)
def size(x: Any) -> Any:
    """Number of elements of a tensor.

    Args:
        x: input tensor.

    Returns:
        The element count as a Python int (None when a dimension is unknown).
    """
    s = shape_of(x)
    return None if None in s else int(math.prod(s))


# -------------------------------------------------------------------------------- views


def _std(dtype: Any) -> str:
    return standardize_dtype(dtype)


@defop(
    shape=None,
    dtype=lambda x, dtype=None: x if dtype is None else _std(dtype),
    nondiff=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), "int32")),
        Sample((randn(rng, 2, 3), "int8")),
        Sample((randn(rng, 2, 4), "float16")),
        Sample((rand_int(rng, 2, 2), "float32")),
    ],
)
def view(x: Any, dtype: Any = None) -> Any:
    """Reinterpret the bytes of a tensor as another dtype (no conversion).

    When the item sizes differ, the last axis is rescaled (its byte size must divide evenly).

    Args:
        x: input tensor.
        dtype: the dtype to view the data as (None keeps `x`'s).

    Returns:
        A tensor sharing `x`'s bytes, with dtype `dtype`.
    """


__all__ = [
    *_diagonal.__all__,
    *_padding.__all__,
    *_reorder.__all__,
    "broadcast_to",
    "expand_dims",
    "moveaxis",
    "ndim",
    "ones_like",
    "ravel",
    "reshape",
    "size",
    "squeeze",
    "swapaxes",
    "transpose",
    "view",
    "zeros_like",
]
