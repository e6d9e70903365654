"""Growing a tensor: padding (`pad`) and repetition (`repeat`, `tile`).

Re-exported by `kerasx.ops.manipulation` (importing that family registers these ops too).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops._manipulation_common import _ax, _dtype_of, _ints, _pad_axis

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


__all__ = [
    "pad",
    "repeat",
    "tile",
]
