"""Shape manipulation: reshape, transpose, join/split, pad, tile, flips, diagonals, rearrange."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes, canonical_axis
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of, unbroadcast


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


# ----------------------------------------------------------------------------- helpers


def _std(dtype: Any) -> str:
    return standardize_dtype(dtype)


def _dtype_of(x: Any) -> str:
    return standardize_dtype(x.dtype)


def _ax(axis: Any, ndim: int, name: str = "axis") -> int:
    """Canonical axis with a teaching error."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected an int. Received: {name}={axis!r}"
        )
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int in [{-ndim}, {ndim}). "
            f"Received: {name}={axis}"
        )
    return int(axis) % max(ndim, 1)


def _ints(value: Any) -> tuple:
    """An int or a sequence of ints as a tuple of Python ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    return tuple(int(v) for v in np.asarray(value).reshape(-1))


def _pad_axis(t: Any, axis: int, before: int, after: int) -> Any:
    """Zero-pad `t` along one axis."""
    if before == 0 and after == 0:
        return t
    pw = [(0, 0)] * len(shape_of(t))
    pw[axis] = (before, after)
    return K.pad(t, pw)


def _take(t: Any, axis: int, start: int, stop: int) -> Any:
    """`t[..., start:stop, ...]` along `axis`, written with `split`."""
    n = shape_of(t)[axis]
    if start == 0 and stop == n:
        return t
    return K.split(t, [start, stop], axis=axis)[1]


def _merge_dim(a: Any, b: Any, what: str) -> Any:
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ValueError(f"{what}: dimensions {a} and {b} differ")


# ------------------------------------------------------------------- join and split


def _concat_shape(xs: list, axis: Any = 0) -> tuple:
    if not xs:
        raise ValueError("Received an empty list for `xs`; expected at least one tensor.")
    if axis is None:
        sizes = [None if None in s else math.prod(s) for s in xs]
        return (None if None in sizes else sum(sizes),)
    nd = len(xs[0])
    if any(len(s) != nd for s in xs):
        raise ValueError(f"all tensors in `xs` must have the same rank; received shapes {xs}")
    ax = _ax(axis, nd)
    out = list(xs[0])
    for s in xs[1:]:
        for i in range(nd):
            if i != ax:
                out[i] = _merge_dim(out[i], s[i], "`xs` shapes must match except along `axis`")
    dims = [s[ax] for s in xs]
    out[ax] = None if None in dims else sum(dims)
    return tuple(out)


def _concat_vjp(g: Any, ans: Any, xs: Any, axis: Any = 0) -> list:
    shapes = [shape_of(x) for x in xs]
    if axis is None:
        sizes = [math.prod(s) for s in shapes]
        g_axis = 0
    else:
        g_axis = _ax(axis, len(shapes[0]))
        sizes = [s[g_axis] for s in shapes]
    bounds = list(np.cumsum(sizes)[:-1])
    parts = K.split(g, [int(b) for b in bounds], axis=g_axis) if bounds else [g]
    if axis is None:
        parts = [K.reshape(p, s) for p, s in zip(parts, shapes)]
    return list(parts)


@defop(
    tensors=(),
    seq=("xs",),
    shape=_concat_shape,
    vjp={"xs": _concat_vjp},
    samples=lambda rng: [
        Sample(([randn(rng, 2, 3), randn(rng, 1, 3)],)),
        Sample(([randn(rng, 2, 3), randn(rng, 2, 2), randn(rng, 2, 1)],), {"axis": -1}),
        Sample(([randn(rng, 2, 2), randn(rng, 3)],), {"axis": None}),
        Sample(([randn(rng, 2, 3), rand_int(rng, 2, 3)],), grad=False),
    ],
)
def concatenate(xs: Any, axis: int | None = 0) -> Any:
    """Join a sequence of tensors along an existing axis.

    Args:
        xs: a list or tuple of tensors (promoted to one dtype).
        axis: the axis to join along; None flattens every tensor first.

    Returns:
        The joined tensor.
    """


def _stack_shape(x: list, axis: int = 0) -> tuple:
    if not x:
        raise ValueError("Received an empty list for `x`; expected at least one tensor.")
    nd = len(x[0])
    if any(len(s) != nd for s in x):
        raise ValueError(f"all tensors in `x` must have the same shape; received shapes {x}")
    out = list(x[0])
    for s in x[1:]:
        out = [
            _merge_dim(a, b, "all tensors in `x` must have the same shape") for a, b in zip(out, s)
        ]
    out.insert(_ax(axis, nd + 1), len(x))
    return tuple(out)


@defop(
    tensors=(),
    seq=("x",),
    shape=_stack_shape,
    vjp={"x": lambda g, ans, x, axis=0: list(K.unstack(g, axis=axis))},
    samples=lambda rng: [
        Sample(([randn(rng, 2, 3), randn(rng, 2, 3)],)),
        Sample(([randn(rng, 3), randn(rng, 3), randn(rng, 3)],), {"axis": -1}),
        Sample(([randn(rng, 2, 2), randn(rng, 2, 2)],), {"axis": 1}),
    ],
)
def stack(x: Any, axis: int = 0) -> Any:
    """Join a sequence of same-shaped tensors along a new axis.

    Args:
        x: a list or tuple of tensors (promoted to one dtype).
        axis: position of the new axis in the result.

    Returns:
        The stacked tensor.
    """


def _split_sizes(n: Any, ios: Any, equal: bool) -> list:
    if isinstance(ios, (int, np.integer)):
        s = int(ios)
        if s <= 0:
            raise ValueError(
                "Received an invalid value for `indices_or_sections`, expected a positive int "
                f"or a list of indices. Received: indices_or_sections={ios}"
            )
        if n is None:
            return [None] * s
        if equal and n % s:
            raise ValueError(
                f"Received an invalid value for `indices_or_sections`: {s} sections do not "
                f"divide an axis of length {n} equally. Use `array_split` for unequal parts."
            )
        q, r = divmod(n, s)
        return [q + 1 if i < r else q for i in range(s)]
    idx = _ints(ios)
    if n is None:
        sizes: list = [
            max(0, b - a) if a >= 0 and b >= 0 else None for a, b in zip((0,) + idx, idx)
        ]
        return sizes + [None]
    norm = [min(max(i + n if i < 0 else i, 0), n) for i in idx]
    bounds = [0, *norm, n]
    return [max(0, b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def _split_rule(equal: bool) -> Any:
    def rule(x: tuple, indices_or_sections: Any, axis: int = 0) -> list:
        ax = _ax(axis, len(x))
        return [
            x[:ax] + (d,) + x[ax + 1 :] for d in _split_sizes(x[ax], indices_or_sections, equal)
        ]

    return rule


def _split_vjp(g: Any, ans: Any, x: Any, indices_or_sections: Any, axis: int = 0) -> Any:
    return K.concatenate(list(g), axis=axis)


@defop(
    shape=_split_rule(True),
    vjp={"x": _split_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 4, 3), 2)),
        Sample((randn(rng, 2, 6), 3), {"axis": -1}),
        Sample((randn(rng, 7), [2, 5])),
        Sample((randn(rng, 3, 5), [1, 3]), {"axis": 1}),
    ],
)
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split a tensor into several along one axis.

    Args:
        x: input tensor.
        indices_or_sections: an int N (N equal parts; the axis must divide evenly) or a
            sorted list of split points.
        axis: the axis to split.

    Returns:
        A list of tensors.
    """


@defop(
    shape=_split_rule(False),
    vjp={"x": _split_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 7), 3)),
        Sample((randn(rng, 2, 5), 2), {"axis": 1}),
        Sample((randn(rng, 4, 2), 4)),
    ],
)
def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split a tensor into parts of nearly equal size along one axis.

    Args:
        x: input tensor.
        indices_or_sections: the number of parts (the first ``len % N`` parts get one extra
            element), or a list of split points.
        axis: the axis to split.

    Returns:
        A list of tensors.
    """


def _unstack_shape(x: tuple, num: Any = None, axis: int = 0) -> list:
    ax = _ax(axis, len(x))
    n = x[ax]
    if n is None:
        if num is None:
            raise ValueError(
                "Cannot unstack along an axis of unknown length; pass `num`. "
                f"Received: x.shape={x}, axis={axis}"
            )
        n = num
    elif num is not None and num != n:
        raise ValueError(
            f"Received an invalid value for `num`, expected the length of axis {axis} ({n}). "
            f"Received: num={num}"
        )
    return [x[:ax] + x[ax + 1 :]] * n


@defop(
    shape=_unstack_shape,
    vjp={"x": lambda g, ans, x, num=None, axis=0: K.stack(list(g), axis=axis)},
    samples=lambda rng: [
        Sample((randn(rng, 3, 2),)),
        Sample((randn(rng, 2, 3, 2),), {"axis": -2}),
        Sample((randn(rng, 2, 4),), {"num": 4, "axis": 1}),
    ],
    namespaces=("core",),
)
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list:
    """Unpack a tensor into a list of tensors along one axis.

    Args:
        x: input tensor.
        num: the expected number of pieces (the length of `axis`); optional.
        axis: the axis to unpack (removed from each piece).

    Returns:
        A list of `x.shape[axis]` tensors.
    """


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 4))),
        Sample((randn(rng, 2, 3), randn(rng, 2, 2)), {"axis": 1}),
        Sample((rand_int(rng, 3), randn(rng, 2)), grad=False),
    ],
)
def append(x1: Any, x2: Any, axis: int | None = None) -> Any:
    """Append `x2` to the end of `x1`.

    Args:
        x1: first tensor.
        x2: tensor appended to `x1`.
        axis: the axis to join along; None flattens both tensors first.

    Returns:
        The joined tensor (inputs promoted to one dtype).
    """
    if axis is None:
        return K.concatenate([K.reshape(x1, (-1,)), K.reshape(x2, (-1,))], axis=0)
    return K.concatenate([x1, x2], axis=axis)


def _at_least(x: Any, rank: int) -> Any:
    nd = len(shape_of(x))
    if nd >= rank:
        return x
    if nd == 0:
        return K.reshape(x, (1,) * rank)
    if rank == 2:
        return K.expand_dims(x, 0)
    return K.expand_dims(x, (0, 2)) if nd == 1 else K.expand_dims(x, -1)


def _stack_samples(rng: Any) -> list:
    return [
        Sample(([randn(rng, 2, 3), randn(rng, 2, 3)],)),
        Sample(([randn(rng, 3), randn(rng, 2)],)),
        Sample(([randn(rng, 2, 1, 2), randn(rng, 2, 2, 2)],)),
    ]


@defop(tensors=(), seq=("xs",), composite=True, samples=_stack_samples)
def hstack(xs: Any) -> Any:
    """Join tensors column-wise (along axis 1, or axis 0 for 1-D tensors).

    Args:
        xs: a list or tuple of tensors.

    Returns:
        The joined tensor.
    """
    xs = [_at_least(x, 1) for x in xs]
    return K.concatenate(xs, axis=0 if len(shape_of(xs[0])) == 1 else 1)


@defop(
    tensors=(),
    seq=("xs",),
    composite=True,
    samples=lambda rng: [
        Sample(([randn(rng, 2, 3), randn(rng, 1, 3)],)),
        Sample(([randn(rng, 3), randn(rng, 3)],)),
    ],
)
def vstack(xs: Any) -> Any:
    """Join tensors row-wise (along axis 0, after making 1-D tensors rows).

    Args:
        xs: a list or tuple of tensors.

    Returns:
        The joined tensor (at least 2-D).
    """
    return K.concatenate([_at_least(x, 2) for x in xs], axis=0)


@defop(
    tensors=(),
    seq=("xs",),
    composite=True,
    samples=lambda rng: [
        Sample(([randn(rng, 2, 3), randn(rng, 2, 3)],)),
        Sample(([randn(rng, 3), randn(rng, 3)],)),
        Sample(([randn(rng, 2, 1, 2), randn(rng, 2, 1, 1)],)),
    ],
)
def dstack(xs: Any) -> Any:
    """Join tensors depth-wise (along axis 2, after making them at least 3-D).

    Args:
        xs: a list or tuple of tensors.

    Returns:
        The joined tensor (at least 3-D).
    """
    return K.concatenate([_at_least(x, 3) for x in xs], axis=2)


def _split_along(x: Any, ios: Any, axis: int, min_rank: int, name: str) -> list:
    nd = len(shape_of(x))
    if nd < min_rank:
        raise ValueError(
            f"Received an invalid value for `x`, `{name}` needs a tensor of rank >= {min_rank}. "
            f"Received: x.shape={shape_of(x)}"
        )
    return K.split(x, ios, axis=axis)


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 4), 2)), Sample((randn(rng, 6), [1, 4]))],
)
def hsplit(x: Any, indices_or_sections: Any) -> list:
    """Split a tensor column-wise (axis 1, or axis 0 for a 1-D tensor).

    Args:
        x: input tensor (at least 1-D).
        indices_or_sections: number of equal parts or a list of split points.

    Returns:
        A list of tensors.
    """
    axis = 1 if len(shape_of(x)) > 1 else 0
    return _split_along(x, indices_or_sections, axis, 1, "hsplit")


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 4, 2), 2)), Sample((randn(rng, 5, 2), [1, 3]))],
)
def vsplit(x: Any, indices_or_sections: Any) -> list:
    """Split a tensor row-wise (along axis 0).

    Args:
        x: input tensor (at least 2-D).
        indices_or_sections: number of equal parts or a list of split points.

    Returns:
        A list of tensors.
    """
    return _split_along(x, indices_or_sections, 0, 2, "vsplit")


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 1, 4), 2)), Sample((randn(rng, 1, 2, 3), [1]))],
)
def dsplit(x: Any, indices_or_sections: Any) -> list:
    """Split a tensor depth-wise (along axis 2).

    Args:
        x: input tensor (at least 3-D).
        indices_or_sections: number of equal parts or a list of split points.

    Returns:
        A list of tensors.
    """
    return _split_along(x, indices_or_sections, 2, 3, "dsplit")


# -------------------------------------------------------------- axes and orientation


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


def _flip_shape(x: tuple, axis: Any = None) -> tuple:
    if axis is not None:
        for a in _ints(axis):
            _ax(a, len(x))
    return tuple(x)


@defop(
    shape=_flip_shape,
    vjp={"x": lambda g, ans, x, axis=None: K.flip(g, axis=axis)},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3, 2),), {"axis": -1}),
        Sample((randn(rng, 2, 3, 2),), {"axis": (0, 2)}),
    ],
)
def flip(x: Any, axis: Any = None) -> Any:
    """Reverse the order of elements along the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).

    Returns:
        The flipped tensor.
    """


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 2, 3, 2),))],
)
def fliplr(x: Any) -> Any:
    """Reverse the order of elements along axis 1 (left/right).

    Args:
        x: input tensor (at least 2-D).

    Returns:
        The flipped tensor.
    """
    if len(shape_of(x)) < 2:
        raise ValueError(
            f"Received an invalid value for `x`, expected a tensor of rank >= 2. "
            f"Received: x.shape={shape_of(x)}"
        )
    return K.flip(x, axis=1)


@defop(composite=True, samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 4),))])
def flipud(x: Any) -> Any:
    """Reverse the order of elements along axis 0 (up/down).

    Args:
        x: input tensor (at least 1-D).

    Returns:
        The flipped tensor.
    """
    if len(shape_of(x)) < 1:
        raise ValueError(
            "Received an invalid value for `x`, expected a tensor of rank >= 1. Received a scalar."
        )
    return K.flip(x, axis=0)


@defop(
    tensors=("array",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3),), {"k": 2}),
        Sample((randn(rng, 2, 3),), {"k": -1}),
        Sample((randn(rng, 2, 3, 2),), {"k": 1, "axes": (1, 2)}),
    ],
)
def rot90(array: Any, k: int = 1, axes: tuple = (0, 1)) -> Any:
    """Rotate a tensor by 90 degrees `k` times in the plane of two axes.

    The rotation goes from the first axis towards the second.

    Args:
        array: input tensor (at least 2-D).
        k: number of quarter turns (negative turns the other way).
        axes: the two axes defining the plane of rotation.

    Returns:
        The rotated tensor.
    """
    nd = len(shape_of(array))
    if nd < 2:
        raise ValueError(
            f"Received an invalid value for `array`, expected a tensor of rank >= 2. "
            f"Received: array.shape={shape_of(array)}"
        )
    ax = _ints(axes)
    if len(ax) != 2:
        raise ValueError(
            f"Received an invalid value for `axes`, expected two axes. Received: axes={axes}"
        )
    a0, a1 = _ax(ax[0], nd, "axes"), _ax(ax[1], nd, "axes")
    if a0 == a1:
        raise ValueError(
            f"Received an invalid value for `axes`, expected two different axes. Received: axes={axes}"
        )
    k = int(k) % 4
    if k == 0:
        return K.reshape(array, shape_of(array))
    if k == 2:
        return K.flip(array, axis=(a0, a1))
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return K.transpose(K.flip(array, axis=a1), perm)
    return K.flip(K.transpose(array, perm), axis=a1)


def _neg_shift(shift: Any) -> Any:
    return -int(shift) if isinstance(shift, (int, np.integer)) else tuple(-s for s in _ints(shift))


@defop(
    shape=lambda x, shift, axis=None: tuple(x),
    vjp={"x": lambda g, ans, x, shift, axis=None: K.roll(g, _neg_shift(shift), axis=axis)},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 2)),
        Sample((randn(rng, 2, 3), -1), {"axis": 1}),
        Sample((randn(rng, 2, 3), (1, 2)), {"axis": (0, 1)}),
    ],
)
def roll(x: Any, shift: Any, axis: Any = None) -> Any:
    """Shift elements of a tensor cyclically along the given axes.

    Args:
        x: input tensor.
        shift: an int or a tuple of ints: the number of places to shift.
        axis: an int, a tuple of ints, or None (the flattened tensor is shifted).

    Returns:
        The rolled tensor.
    """


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


# ------------------------------------------------------------------------ padding


def _pad_pairs(pad_width: Any, ndim: int) -> list:
    try:
        pw = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    except (ValueError, TypeError):
        raise ValueError(
            "Received an invalid value for `pad_width`, expected an int, a pair (before, after) "
            f"or one pair per axis for a tensor of rank {ndim}. Received: pad_width={pad_width}"
        ) from None
    if (pw < 0).any():
        raise ValueError(
            "Received an invalid value for `pad_width`, expected non-negative integers. "
            f"Received: pad_width={pad_width}"
        )
    return [(int(b), int(a)) for b, a in pw]


def _pad_shape(
    x: tuple, pad_width: Any, mode: str = "constant", constant_values: Any = None
) -> tuple:
    pairs = _pad_pairs(pad_width, len(x))
    return tuple(None if d is None else d + b + a for d, (b, a) in zip(x, pairs))


def _edge_weights(n: int, dtype: str, reverse: bool) -> Any:
    """Weights of the edge value in a `linear_ramp` pad of width `n` (end value 0)."""
    w = K.true_divide(K.arange(n, dtype=dtype), n)
    return K.flip(w, axis=0) if reverse else w


def _pad_axis_adjoint(g: Any, axis: int, before: int, after: int, n: int, mode: str) -> Any:
    """Cotangent of one axis of a (non-constant) pad: fold the padded parts back."""
    nd = len(shape_of(g))
    gl, gm, gr = K.split(g, [before, before + n], axis=axis)
    if mode in ("constant", "empty") or (before == 0 and after == 0):
        return gm
    width = {"reflect": n - 1, "symmetric": n, "wrap": n}.get(mode, None)
    if width is not None and (before > width or after > width):
        raise TypeError(
            f"`ops.pad` has no gradient rule for mode={mode!r} with pads wider than the padded "
            f"axis (received before={before}, after={after} for length {n}); its gradient "
            "exists only for pads no wider than the axis."
        )
    if mode == "reflect":
        return K.add(
            gm,
            K.add(
                _pad_axis(K.flip(gl, axis=axis), axis, 1, n - 1 - before),
                _pad_axis(K.flip(gr, axis=axis), axis, n - 1 - after, 1),
            ),
        )
    if mode == "symmetric":
        return K.add(
            gm,
            K.add(
                _pad_axis(K.flip(gl, axis=axis), axis, 0, n - before),
                _pad_axis(K.flip(gr, axis=axis), axis, n - after, 0),
            ),
        )
    if mode == "wrap":
        return K.add(
            gm, K.add(_pad_axis(gl, axis, n - before, 0), _pad_axis(gr, axis, 0, n - after))
        )
    if mode in ("edge", "linear_ramp"):
        if mode == "linear_ramp":
            dt = _dtype_of(g)
            shape = [1] * nd
            shape[axis] = before
            gl = K.multiply(gl, K.reshape(_edge_weights(before, dt, False), shape))
            shape[axis] = after
            gr = K.multiply(gr, K.reshape(_edge_weights(after, dt, True), shape))
        left = _pad_axis(K.sum(gl, axis=axis, keepdims=True), axis, 0, n - 1)
        right = _pad_axis(K.sum(gr, axis=axis, keepdims=True), axis, n - 1, 0)
        return K.add(gm, K.add(left, right))
    if mode == "mean":
        total = K.add(K.sum(gl, axis=axis, keepdims=True), K.sum(gr, axis=axis, keepdims=True))
        return K.add(gm, K.true_divide(total, n))
    raise TypeError(
        f"`ops.pad` has no gradient rule for mode={mode!r}, so it cannot be differentiated "
        "with that mode. Gradients exist for modes: constant, "
        "edge, linear_ramp, mean, reflect, symmetric, wrap."
    )


def _pad_vjp(
    g: Any, ans: Any, x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None
) -> Any:
    xs = shape_of(x)
    pairs = _pad_pairs(pad_width, len(xs))
    for axis in reversed(range(len(xs))):
        b, a = pairs[axis]
        g = _pad_axis_adjoint(g, axis, b, a, xs[axis], mode)
    return g


def _pad_samples(rng: Any) -> list:
    x = randn(rng, 2, 3)
    return [
        Sample((x, 1)),
        Sample((x, ((1, 0), (0, 2)))),
        Sample((x, (1, 2)), {"constant_values": 1.5}),
        Sample((randn(rng, 3, 4), ((2, 1), (1, 3))), {"mode": "reflect"}),
        Sample((randn(rng, 3, 4), ((2, 3), (1, 4))), {"mode": "symmetric"}),
        Sample((randn(rng, 3, 4), ((1, 3), (2, 1))), {"mode": "wrap"}),
        Sample((x, ((2, 1), (1, 2))), {"mode": "edge"}),
        Sample((x, ((2, 1), (1, 3))), {"mode": "linear_ramp"}),
        Sample((x, ((1, 2), (2, 1))), {"mode": "mean"}),
        Sample((x, 1), {"mode": "maximum"}, grad=False),
    ]


@defop(shape=_pad_shape, vjp={"x": _pad_vjp}, samples=_pad_samples)
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Any:
    """Pad a tensor.

    Args:
        x: input tensor.
        pad_width: an int, a pair ``(before, after)``, or one pair per axis.
        mode: "constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
            "reflect", "symmetric", "wrap" or "empty" (NumPy's meanings).
        constant_values: the fill value for mode "constant" (default 0).

    Returns:
        The padded tensor (same dtype as `x`).
    """


# ------------------------------------------------------------------ repeat and tile


def _repeat_shape(x: tuple, repeats: Any, axis: Any = None) -> tuple:
    reps = _ints(repeats)
    if any(r < 0 for r in reps):
        raise ValueError(
            f"Received an invalid value for `repeats`, expected non-negative ints. Received: repeats={repeats}"
        )
    if axis is None:
        n = None if None in x else math.prod(x)
        ax, dims = 0, (n,)
    else:
        ax, dims = _ax(axis, len(x)), tuple(x)
    n = dims[ax]
    if len(reps) == 1:
        new = None if n is None else n * reps[0]
    else:
        if n is not None and n != len(reps):
            raise ValueError(
                f"Received an invalid value for `repeats`, expected one count per element along "
                f"the axis ({n}). Received {len(reps)} counts."
            )
        new = sum(reps)
    return dims[:ax] + (new,) + dims[ax + 1 :]


def _repeat_vjp(g: Any, ans: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    xs = shape_of(x)
    if axis is None:
        dims, ax = (math.prod(xs),), 0
    else:
        dims, ax = xs, _ax(axis, len(xs))
    reps = _ints(repeats)
    if len(reps) == 1:
        g = K.reshape(g, dims[:ax] + (dims[ax], reps[0]) + dims[ax + 1 :])
        return K.reshape(K.sum(g, axis=ax + 1), xs)
    bounds = [int(b) for b in np.cumsum(reps)[:-1]]
    parts = K.split(g, bounds, axis=ax)
    return K.reshape(K.concatenate([K.sum(p, axis=ax, keepdims=True) for p in parts], axis=ax), xs)


@defop(
    shape=_repeat_shape,
    vjp={"x": _repeat_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 2)),
        Sample((randn(rng, 2, 3), 3), {"axis": -1}),
        Sample((randn(rng, 2, 3), [1, 0, 2]), {"axis": 1}),
        Sample((randn(rng, 3, 2), [2, 1, 3]), {"axis": 0}),
    ],
)
def repeat(x: Any, repeats: Any, axis: int | None = None) -> Any:
    """Repeat each element of a tensor.

    Args:
        x: input tensor.
        repeats: an int, or one non-negative count per element along `axis`.
        axis: the axis to repeat along; None repeats the flattened tensor.

    Returns:
        The tensor with repeated elements.
    """


def _tile_reps(repeats: Any) -> tuple:
    reps = _ints(repeats)
    if any(r < 0 for r in reps):
        raise ValueError(
            f"Received an invalid value for `repeats`, expected non-negative ints. Received: repeats={repeats}"
        )
    return reps


def _tile_shape(x: tuple, repeats: Any) -> tuple:
    reps = _tile_reps(repeats)
    d = max(len(x), len(reps))
    xs = (1,) * (d - len(x)) + tuple(x)
    rs = (1,) * (d - len(reps)) + reps
    return tuple(None if s is None else s * r for s, r in zip(xs, rs))


def _tile_vjp(g: Any, ans: Any, x: Any, repeats: Any) -> Any:
    xs = shape_of(x)
    reps = _tile_reps(repeats)
    d = max(len(xs), len(reps))
    if d == 0:
        return g
    xp = (1,) * (d - len(xs)) + tuple(xs)
    rp = (1,) * (d - len(reps)) + reps
    inter = [v for pair in zip(rp, xp) for v in pair]
    g = K.sum(K.reshape(g, inter), axis=tuple(range(0, 2 * d, 2)))
    return K.reshape(g, xs)


@defop(
    shape=_tile_shape,
    vjp={"x": _tile_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 2)),
        Sample((randn(rng, 2, 3), (2, 1, 2))),
        Sample((randn(rng, 2, 2), (3, 1))),
        Sample((randn(rng, 3), [2])),
    ],
)
def tile(x: Any, repeats: Any) -> Any:
    """Repeat a whole tensor along each axis.

    Args:
        x: input tensor.
        repeats: an int or a sequence of ints: repetitions per axis (the shorter of `x`'s
            shape and `repeats` is padded with leading ones).

    Returns:
        The tiled tensor.
    """


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


# ------------------------------------------------------------------------- rearrange

_TOKEN = re.compile(r"\s*(\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+)")


def _parse_side(side: str, pattern: str) -> list:
    """Parse one side of an einops pattern into groups of atoms (names, '...' or '1')."""
    groups: list = []
    current: list | None = None
    pos = 0
    side = side.strip()
    while pos < len(side):
        m = _TOKEN.match(side, pos)
        if m is None:
            raise ValueError(f"Received an invalid value for `pattern`: cannot parse {pattern!r}.")
        tok = m.group(1)
        pos = m.end()
        while pos < len(side) and side[pos].isspace():
            pos += 1
        if tok == "(":
            if current is not None:
                raise ValueError(
                    f"Received an invalid value for `pattern`: nested parentheses in {pattern!r}."
                )
            current = []
        elif tok == ")":
            if current is None:
                raise ValueError(
                    f"Received an invalid value for `pattern`: unbalanced ')' in {pattern!r}."
                )
            groups.append(tuple(current))  # a tuple marks a parenthesised group
            current = None
        else:
            if tok.isdigit() and tok != "1":
                raise ValueError(
                    f"Received an invalid value for `pattern`: only the anonymous axis '1' is "
                    f"allowed, got {tok!r} in {pattern!r}."
                )
            if current is None:
                groups.append([tok])
            else:
                current.append(tok)
    if current is not None:
        raise ValueError(f"Received an invalid value for `pattern`: unbalanced '(' in {pattern!r}.")
    return groups


def _right_group(
    grp: list, n_ell: int, sizes: dict, out_names: list, final: list, pattern: str
) -> None:
    """Append the atoms of one right-hand group to `out_names` and its size to `final`."""
    total: Any = 1
    for a in grp:
        if a == "1":
            continue
        group_names = [f"...{i}" for i in range(n_ell)] if a == "..." else [a]
        for nm in group_names:
            if nm not in sizes:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} is not on the left of "
                    f"{pattern!r}."
                )
            if nm in out_names:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} appears twice on the right."
                )
            out_names.append(nm)
            total = None if total is None or sizes[nm] is None else total * sizes[nm]
    final.append(total)


def _rearrange_plan(shape: tuple, pattern: str, lengths: dict) -> tuple:
    """Return (shape of the elementary axes, permutation, final shape)."""
    if pattern.count("->") != 1:
        raise ValueError(
            f"Received an invalid value for `pattern`, expected 'left -> right'. Received: pattern={pattern!r}"
        )
    lhs, rhs = pattern.split("->")
    left, right = _parse_side(lhs, pattern), _parse_side(rhs, pattern)
    has_ell = any("..." in grp for grp in left)
    if any("..." in grp and (len(grp) > 1 or isinstance(grp, tuple)) for grp in left):
        raise ValueError(
            f"Received an invalid value for `pattern`: '...' cannot be grouped on the left of {pattern!r}."
        )
    n_fixed = len(left) - (1 if has_ell else 0)
    if (has_ell and len(shape) < n_fixed) or (not has_ell and len(shape) != n_fixed):
        raise ValueError(
            f"Received an invalid value for `pattern`: {pattern!r} expects a tensor of rank "
            f"{n_fixed}{' or more' if has_ell else ''}, received shape {shape}."
        )
    names: list = []  # elementary axes, in the order of the input
    sizes: dict = {}
    dim_iter = iter(shape)
    n_ell = len(shape) - n_fixed
    for grp in left:
        if grp == ["..."]:
            for i in range(n_ell):
                names.append(f"...{i}")
                sizes[f"...{i}"] = next(dim_iter)
            continue
        dim = next(dim_iter)
        atoms = [a for a in grp if a != "1"]
        unknown = [a for a in atoms if a not in lengths]
        if len(unknown) > 1:
            raise ValueError(
                f"Could not infer the sizes of {unknown} in {pattern!r}; pass them as keyword "
                "arguments, e.g. rearrange(x, pattern, h=2)."
            )
        known = math.prod(int(lengths[a]) for a in atoms if a in lengths)
        for a in atoms:
            if a in sizes:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} appears twice on the left."
                )
            if a in lengths:
                sizes[a] = int(lengths[a])
            elif dim is None:
                sizes[a] = None
            else:
                if known == 0 or dim % known:
                    raise ValueError(
                        f"Cannot split an axis of length {dim} into {grp} with sizes {lengths}."
                    )
                sizes[a] = dim // known
        if not unknown and dim is not None and known != dim:
            raise ValueError(
                f"Axis group {grp} has size {known} but the tensor's axis has length {dim}."
            )
        names.extend(atoms)
    out_names: list = []
    final: list = []
    for grp in right:
        if grp == ["..."]:  # a bare ellipsis keeps its axes separate
            grp_list = [[f"...{i}"] for i in range(n_ell)]
        else:
            grp_list = [grp]
        for sub in grp_list:
            _right_group(sub, n_ell, sizes, out_names, final, pattern)
    missing = [nm for nm in names if nm not in out_names]
    if missing:
        raise ValueError(
            f"Received an invalid value for `pattern`: axes {missing} are missing on the right of {pattern!r}."
        )
    elementary = [sizes[nm] for nm in names]
    perm = [names.index(nm) for nm in out_names]
    return elementary, perm, final


def _unknown_as_minus_one(shape: list) -> tuple:
    if shape.count(None) > 1:
        raise ValueError(f"rearrange cannot handle more than one unknown dimension here: {shape}")
    return tuple(-1 if d is None else d for d in shape)


@defop(
    tensors=("tensor",),
    composite=True,
    namespaces=(),
    samples=lambda rng: [
        Sample((randn(rng, 2, 3, 4), "a b c -> c (a b)")),
        Sample((randn(rng, 6, 4), "(h w) c -> h w c"), {"h": 2}),
        Sample((randn(rng, 2, 3, 4), "b h w -> b (w h)")),
        Sample((randn(rng, 2, 3, 2), "b ... c -> c b ..."), keras=False),  # Keras lacks '...'
    ],
)
def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Any:
    """Reorder, merge and split axes with an einops-style pattern.

    Examples of patterns: ``"b h w c -> b c h w"``, ``"b (h w) c -> b h w c"`` (with
    ``h=...``), ``"b h w c -> b (h w c)"``, ``"b ... c -> b c ..."``, ``"a b -> a 1 b"``.

    Args:
        tensor: input tensor.
        pattern: ``"left -> right"``: axis names, parenthesised groups, ``...`` and ``1``.
        **axes_lengths: sizes of axes that cannot be inferred from the input shape.

    Returns:
        The rearranged tensor.
    """
    if not isinstance(pattern, str):
        raise TypeError(
            f"Received an invalid value for `pattern`, expected a string. Received: pattern={pattern!r}"
        )
    elementary, perm, final = _rearrange_plan(tuple(shape_of(tensor)), pattern, axes_lengths)
    t = K.reshape(tensor, _unknown_as_minus_one(elementary))
    if perm != list(range(len(perm))):
        t = K.transpose(t, perm)
    return K.reshape(t, _unknown_as_minus_one(final))


__all__ = [
    "append",
    "array_split",
    "broadcast_to",
    "concatenate",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "dsplit",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "moveaxis",
    "ndim",
    "ones_like",
    "pad",
    "ravel",
    "rearrange",
    "repeat",
    "reshape",
    "roll",
    "rot90",
    "size",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "tile",
    "transpose",
    "tril",
    "triu",
    "unstack",
    "view",
    "vsplit",
    "vstack",
    "zeros_like",
]
