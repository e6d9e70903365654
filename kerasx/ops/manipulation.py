"""Shape manipulation: reshape, transpose, pad, tile, flips, diagonals.

Joining and splitting live in `joining.py`; einops-style `rearrange` in `einops.py`.
"""

from __future__ import annotations

import math
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


__all__ = [
    "broadcast_to",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "moveaxis",
    "ndim",
    "ones_like",
    "pad",
    "ravel",
    "repeat",
    "reshape",
    "roll",
    "rot90",
    "size",
    "squeeze",
    "swapaxes",
    "tile",
    "transpose",
    "tril",
    "triu",
    "view",
    "zeros_like",
]
