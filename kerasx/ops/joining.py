"""Joining and splitting: concatenate, stack, h/v/dstack, append, split, unstack."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of
from kerasx.ops._manipulation_common import _ax, _ints

# ----------------------------------------------------------------------------- helpers


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


__all__ = [
    "append",
    "array_split",
    "concatenate",
    "dsplit",
    "dstack",
    "hsplit",
    "hstack",
    "split",
    "stack",
    "unstack",
    "vsplit",
    "vstack",
]
